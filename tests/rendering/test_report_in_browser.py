"""The HTML report as a person sees it, in a real browser (headless Chromium): the verdict and the colour of every
card agree, the flag matrix is on the first screen, no text lies on other text, and nothing is fetched.

The page is measured by a script appended to a copy of the report (the report's own CSP allows inline scripts and
nothing else); it writes what it found into the DOM, which Chromium's --dump-dom prints. Screenshots are kept in
the session's report folder as artefacts.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from autointel.bench.autointel_pipeline import AutointelPipeline
from autointel.bench.options import BenchOptions, parse_combos
from autointel.bench.session import BenchSession
from autointel.bench.synthetic import SyntheticTarget
from autointel.settings import Depth, load_settings

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")

# Colours of the report's CSS variables, as getComputedStyle gives them.
STATE_COLOURS = {"fail": "rgb(198, 40, 40)", "pass": "rgb(46, 125, 50)", "inconclusive": "rgb(239, 143, 0)",
                 "not_measured": "rgb(158, 158, 158)"}

PROBE = """
<script>
(function () {
  function box(el) { var r = el.getBoundingClientRect(); return [r.left, r.top + window.scrollY, r.width, r.height]; }
  function textLeaves() {
    var out = [];
    document.querySelectorAll('body *').forEach(function (el) {
      if (el.closest('svg, script, style, #layout-probe, details:not([open]) > :not(summary)')) { return; }
      var own = Array.prototype.some.call(el.childNodes, function (n) {
        return n.nodeType === 3 && n.textContent.trim().length > 0; });
      var r = el.getBoundingClientRect();
      if (own && r.width > 0 && r.height > 0) { out.push(el); }
    });
    return out;
  }
  function overlaps(els) {
    var found = [];
    for (var i = 0; i < els.length; i++) {
      var a = els[i].getBoundingClientRect();
      for (var j = i + 1; j < els.length; j++) {
        if (els[i].contains(els[j]) || els[j].contains(els[i])) { continue; }
        var b = els[j].getBoundingClientRect();
        var w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        var h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (w > 2 && h > 2) {
          found.push([els[i].tagName + ':' + els[i].textContent.trim().slice(0, 40),
                      els[j].tagName + ':' + els[j].textContent.trim().slice(0, 40)]);
        }
      }
    }
    return found;
  }
  function svgOverlaps() {
    var found = [];
    document.querySelectorAll('svg').forEach(function (svg) {
      var labels = Array.prototype.filter.call(svg.querySelectorAll('text'), function (t) {
        var r = t.getBoundingClientRect(); return t.textContent.trim() && r.width > 0 && r.height > 0; });
      for (var i = 0; i < labels.length; i++) {
        var a = labels[i].getBoundingClientRect();
        for (var j = i + 1; j < labels.length; j++) {
          var b = labels[j].getBoundingClientRect();
          var w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
          var h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
          if (w > 1 && h > 1) {
            var chart = svg.closest('figure, section');
            found.push([(chart ? chart.id || chart.className : '?'), labels[i].textContent.trim().slice(0, 30),
                        labels[j].textContent.trim().slice(0, 30), Math.round(w), Math.round(h)]);
          }
        }
      }
    });
    return found;
  }
  var banner = document.getElementById('banner');
  var report = {
    verdict: banner.querySelector('.verdict').textContent.trim(),
    bannerClass: banner.className,
    bannerColour: getComputedStyle(banner).borderLeftColor,
    chips: Array.prototype.map.call(banner.querySelectorAll('.chip'), function (c) {
      return {cls: c.className, state: c.querySelector('.chip-state').textContent.trim(),
              colour: getComputedStyle(c).borderTopColor}; }),
    matrix: box(document.getElementById('matrix')),
    overlaps: overlaps(textLeaves()),
    svgOverlaps: svgOverlaps(),
    pageWidth: document.documentElement.scrollWidth,
    wide: Array.prototype.filter.call(document.querySelectorAll('body *'), function (el) {
      var r = el.getBoundingClientRect();
      return r.right > window.innerWidth + 1 && !el.closest('section');  // a section scrolls its own content
    }).map(function (el) { return el.tagName + '#' + el.id + ':' + Math.round(el.getBoundingClientRect().right); }),
    resources: performance.getEntriesByType('resource').map(function (e) { return e.name; })
  };
  var pre = document.createElement('pre');
  pre.id = 'layout-probe';
  pre.textContent = JSON.stringify(report);
  document.body.appendChild(pre);
})();
</script>
"""


def chromium(page: Path, width: int, profile: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    args = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-dev-shm-usage", f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0",
            f"--window-size={width},1000", "--virtual-time-budget=5000", *extra, page.as_uri()]
    return subprocess.run(args, capture_output=True, text=True, timeout=90)


def measure(report: Path, width: int, tmp: Path) -> dict[str, Any]:
    probed = tmp / f"probed-{width}.html"
    probed.write_text(report.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"), encoding="utf-8")
    out = chromium(probed, width, tmp / f"profile-{width}", "--dump-dom")
    assert out.returncode == 0, out.stderr[-2000:]
    found = re.search(r'<pre id="layout-probe">(.*?)</pre>', out.stdout, re.S)
    assert found, "the probe did not run"
    console = [line for line in out.stderr.splitlines() if ":CONSOLE" in line or "Uncaught" in line]
    assert not console, console  # no script error, no request refused by the CSP
    shot = report.parent / f"report-{width}.png"  # kept beside the report as an artefact
    snap = chromium(report, width, tmp / f"profile-shot-{width}", f"--screenshot={shot}")
    assert snap.returncode == 0 and shot.stat().st_size > 10_000
    data: dict[str, Any] = json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&")
                                      .replace("&lt;", "<").replace("&gt;", ">"))
    return data


def session(root: Path, target: SyntheticTarget, combos: str, iterations: int, fail_on: str,
            engines: tuple[str, ...] = ("pipeline",)) -> Path:
    opts = BenchOptions(combos=parse_combos(combos), engines=engines, iterations=iterations, warmup=0, seed=9,
                        fail_on=frozenset(fail_on.split(",")))
    settings = load_settings({}, depth=Depth.STANDARD, data_dir=root / "data")
    BenchSession(opts, source="talk", pipeline=AutointelPipeline(settings, target), report_dir=root / "report",
                 name=root.name).run()
    return root / "report" / "report.html"


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A short session (three runs a cell: inconclusive), a planted end-to-end regression (fail), and the whole
    matrix on two engines (16 cells, the report's widest tables and tallest charts)."""
    short = session(tmp_path_factory.mktemp("short"), SyntheticTarget(seed=2), "all", 3, "failed,invalid,regression")
    slow = SyntheticTarget(seed=4, scale=3.0, slow_phase="transcription", factor=8.0, slow_combos=["all"])
    planted = session(tmp_path_factory.mktemp("planted"), slow, "all", 8, "failed,invalid,regression")
    matrix = session(tmp_path_factory.mktemp("matrix"), SyntheticTarget(seed=5, scale=0.5), "matrix", 2,
                     "failed,invalid", ("pipeline", "crew"))
    return {"short": short, "planted": planted, "matrix": matrix}


@pytest.mark.parametrize("width", [900, 1400])
@pytest.mark.parametrize(("name", "verdict"), [("short", "INCONCLUSIVE"), ("planted", "FAIL"), ("matrix", "PASS")])
def test_the_report_reads_right_in_a_browser(reports: dict[str, Path], tmp_path: Path, name: str, verdict: str,
                                             width: int) -> None:
    seen = measure(reports[name], width, tmp_path)
    assert seen["verdict"] == verdict and f"v-{verdict.lower()}" in seen["bannerClass"]
    assert seen["bannerColour"] == STATE_COLOURS[verdict.lower()]
    assert seen["chips"], "the verdict shows the checks it rests on"
    for chip in seen["chips"]:  # each card's colour is its own state's, the state the verdict gave it
        assert f"v-{chip['state']}" in chip["cls"] and chip["colour"] == STATE_COLOURS[chip["state"]], chip
    if verdict == "FAIL":
        assert any(c["state"] == "fail" for c in seen["chips"])
    else:
        assert not any(c["state"] == "fail" for c in seen["chips"])
    assert seen["matrix"][1] < 1000, "the flag matrix starts on the first screen"
    assert seen["overlaps"] == [], "text lies on other text"
    assert seen["svgOverlaps"] == [], "a chart's labels run into each other"
    assert seen["pageWidth"] <= width + 1, f"wider than the window: {seen['wide']}"
    assert all(url.startswith(("data:", "file:")) for url in seen["resources"]), seen["resources"]
