"""Reports say what results.json says: the HTML opens offline in a real browser, the text summaries
print the same numbers and verdicts, the trace loads, and `autointel report` renders killed sessions."""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
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
from autointel.errors import InputError
from autointel.model.bench_results import (
    Banner,
    CellCounts,
    CellStats,
    CostModel,
    Headroom,
    SessionInfo,
    SessionResults,
)
from autointel.rendering.fmt import ci, mib, ratio_ci
from autointel.rendering.html import render_html
from autointel.rendering.markdown import render_markdown
from autointel.rendering.terminal import render_terminal
from autointel.rendering.trace import chrome_trace
from autointel.report_cli import load_results, run_report
from autointel.settings import Depth, load_settings

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
URL_ATTR = re.compile(r"""\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.I)


def run_session(root: Path, target: SyntheticTarget, combos: str, **options: Any) -> BenchSession:
    opts = BenchOptions(combos=parse_combos(combos), **{"iterations": 3, "warmup": 0, "seed": 5, **options})
    settings = load_settings({}, depth=Depth.COMPREHENSIVE, data_dir=root / "data")
    return BenchSession(opts, source="talk", pipeline=AutointelPipeline(settings, target), report_dir=root / "report",
                        name="render", command_line=["pytest", "benchmarks", "--autointel-combos", combos])


@pytest.fixture(scope="module")
def session_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One finished synthetic session (with a crashed run), reused by every test here."""
    root = tmp_path_factory.mktemp("rendering")
    run_session(root, SyntheticTarget(seed=3, crash_on_calls={4}), "analysis+fact_checking,memory_ops").run()
    return root / "report"


@pytest.fixture(scope="module")
def results(session_dir: Path) -> SessionResults:
    return SessionResults.from_json((session_dir / "results.json").read_text())


def bare() -> SessionResults:
    """A session with nothing measured: only the two rows every results document has."""
    banner = Banner(verdict="pass", triggered=(), fail_on=(), conditions={}, reasons=(), headline="nothing ran",
                    failed_runs=0, invalid_runs=0)
    return SessionResults(session=SessionInfo(run_id="r0", name="bare"), banner=banner)


def ns(results_path: Path, **kw: Any) -> argparse.Namespace:
    return argparse.Namespace(results=results_path, **{"compare": None, "html": None, "md": None, "trace": None,
                                                       **kw})


def test_session_writes_a_self_contained_html_report(session_dir: Path, results: SessionResults) -> None:
    page = (session_dir / "report.html").read_text()
    assert page.startswith("<!DOCTYPE html>")
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert not URL_ATTR.search(page), "the report must not reference anything over the network"
    assert "<link" not in page and "<script src" not in page and "<img" not in page
    island = re.search(r'<script type="application/json" id="results">(.*?)</script>', page, re.S)
    assert island and json.loads(island.group(1)) == results.to_dict()
    assert (session_dir / "results.json").read_text() == results.to_json()  # the island is results.json
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), "inline SVGs must not collide on ids"
    for anchor in ("banner", "matrix", "phases", "timeline", "memory", "cpu", "effects", "cost", "history",
                   "environment", "samples", "command"):
        assert f'id="{anchor}' in page
    assert page.count("<svg") >= 5
    assert "not measured in this session" in page  # cost vs media length: one media length only
    assert "pytest benchmarks --autointel-combos" in page


def test_text_is_escaped_and_missing_fields_do_not_crash(results: SessionResults) -> None:
    hostile = dataclasses.replace(
        results, session=dataclasses.replace(results.session, name="<script>alert(1)</script>"),
        banner=dataclasses.replace(results.banner, reasons=("</script><b>x</b>",)))
    page = render_html(hostile)
    assert "<script>alert(1)" not in page and "</script><b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "\\u003c/script\\u003e\\u003cb\\u003ex" in page  # the JSON island cannot close its element

    counts = CellCounts(runs=0, measured=0, ok=0, failed=0, invalid=0, warmup=0, diagnostic=0)
    only_cell = dataclasses.replace(bare(), cells=(CellStats(combo="baseline", engine="pipeline", flags={},
                                                             counts=counts),), samples=results.samples[:1])
    stripped = dataclasses.replace(results, cells=tuple(
        dataclasses.replace(c, e2e=None, phases={}, representative=None, peak_rss=None, cpu=None,
                            critical_path_bound=None, counted_orders=()) for c in results.cells))
    for partial in (bare(), only_cell, stripped):
        assert "<html" in render_html(partial)
        assert render_markdown(partial).startswith("# autointel benchmark")
        meta = partial.session
        assert render_terminal(partial).startswith(f"{meta.name} ({meta.run_id}): {partial.banner.verdict.upper()}: ")
        assert chrome_trace(partial)["traceEvents"] == []  # no median run recorded: nothing to draw
    assert "not measured" in render_html(bare())
    assert "| pipeline | baseline | 0 | 0 | 0 | - | 1 | baseline | - | - |" in render_markdown(only_cell)
    for cell in results.cells:  # without statistics every number is "-", the counts stay
        assert re.search(rf"^{re.escape(cell.combo)}\s+{cell.counts.ok}\s+-\s", render_terminal(stripped), re.M)


def test_the_cost_section_shows_the_fitted_fixed_and_per_minute_costs(results: SessionResults) -> None:
    model = CostModel(engine="pipeline", combo="all", depth=None, llm_profile=None, minutes=(1.0, 5.0, 20.0),
                      n=(3, 3, 3), fixed_s=0.346, fixed_ci_low=0.21, fixed_ci_high=0.48, per_minute_s=2.014,
                      per_minute_ci_low=1.99, per_minute_ci_high=math.nan)  # a bound the fit could not give
    page = render_html(dataclasses.replace(results, cost_model=(model,)))
    assert "0.35 [0.21, 0.48]" in page and "2.01 [1.99, -]" in page and "1, 5, 20" in page
    assert "fixed s per run" not in render_html(results)  # no lengths, no fit table


def test_the_timeline_lists_each_critical_path_bound_and_the_headroom(results: SessionResults) -> None:
    cell = next(c for c in results.cells if c.combo != "baseline" and c.critical_path_bound)
    assert cell.critical_path_bound is not None
    headroom = Headroom(engine=cell.engine, combo=cell.combo, bound_kind="plan", ratio=0.5612, ratio_ci_low=0.55,
                        ratio_ci_high=0.57, n=3, n_baseline=3, paired=True)
    page = render_html(dataclasses.replace(results, headroom=(headroom,)))
    assert "bound / baseline e2e" in page and "0.561 [0.550, 0.570]" in page
    assert f"{cell.critical_path_bound.median:.2f} [" in page
    assert "0.561 [0.550, 0.570]" not in render_html(results)


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")
def test_html_renders_in_headless_chromium(session_dir: Path, tmp_path: Path) -> None:
    assert CHROMIUM is not None
    page = (session_dir / "report.html").resolve()
    base = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr",
            "--v=0", "--window-size=1400,2000"]
    dom = subprocess.run([*base, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=60)
    shot = session_dir / "report.png"
    snap = subprocess.run([*base, f"--screenshot={shot}", page.as_uri()], capture_output=True, text=True, timeout=60)
    assert dom.returncode == 0 and snap.returncode == 0, dom.stderr[-2000:] + snap.stderr[-2000:]
    html = dom.stdout
    assert 'data-js="ok"' in html, "the inline script did not run to the end"
    assert re.search(r'<pre id="js-errors" hidden(="")?></pre>', html), "window.onerror caught an error"
    assert 'id="banner"' in html and 'id="matrix"' in html and "<svg" in html
    for log in (dom.stderr, snap.stderr):
        console = [line for line in log.splitlines() if ":CONSOLE" in line or "Uncaught" in line]
        assert not console, console  # no JS error, no CSP-blocked request, nothing logged at all
    assert shot.exists() and shot.stat().st_size > 10_000


def test_markdown_and_terminal_agree_with_results(session_dir: Path, results: SessionResults) -> None:
    md, term = render_markdown(results), render_terminal(results)
    assert (session_dir / "summary.md").read_text() == md  # the session's summary.md is this renderer's
    verdict = results.banner.verdict.upper()
    assert f"**{verdict}**" in md and f": {verdict}: " in term.splitlines()[0]
    e2e = {c.name: c for c in results.comparisons if c.metric == "e2e"}
    for cell in results.cells:
        combo = cell.combo
        assert cell.e2e is not None and cell.peak_rss is not None
        median = ci(cell.e2e.median, cell.e2e.ci_low, cell.e2e.ci_high)
        verdict = "baseline" if combo == "baseline" else e2e[combo].verdict
        ratio = "1" if combo == "baseline" else ratio_ci(e2e[combo])
        row = next(r for r in md.splitlines() if r.startswith(f"| {cell.engine} | {combo} |"))
        line = next(t for t in term.splitlines() if t.split("  ")[0] == combo)
        for text in (row, line):
            assert median in text and ratio in text and verdict in text
            assert mib(cell.peak_rss.median) in text
        counts = cell.counts
        assert f"| {counts.ok} | {counts.failed} | {counts.invalid} |" in row
        assert re.match(rf"{re.escape(combo)}\s+{counts.ok}\s", line)
    assert "## Regressions" in md and "## Budgets" in md
    failed = next(c for c in results.banner.checks if c.name == "failed")
    assert failed.state == "fail" and failed.detail.startswith("1 of ") and failed.detail.endswith(" runs failed")
    assert f"- failed runs: fail: {failed.detail}" in md and f"  failed runs: fail: {failed.detail}" in term


def test_chrome_trace_is_valid(results: SessionResults, tmp_path: Path) -> None:
    path = tmp_path / "trace.json"
    path.write_text(json.dumps(chrome_trace(results)))
    trace = json.loads(path.read_text())
    events = trace["traceEvents"]
    spans = [e for e in events if e["ph"] == "X"]
    assert spans and all({"name", "cat", "ph", "ts", "dur", "pid", "tid"} <= set(e) for e in spans)
    assert all(e["ts"] >= 0 and e["dur"] >= 0 and isinstance(e["pid"], int) and isinstance(e["tid"], int)
               for e in spans)
    processes = {e["pid"] for e in events if e["ph"] == "M" and e["name"] == "process_name"}
    threads = {(e["pid"], e["tid"]) for e in events if e["ph"] == "M" and e["name"] == "thread_name"}
    assert {e["pid"] for e in spans} == processes
    assert {(e["pid"], e["tid"]) for e in spans} == threads
    assert trace["otherData"] == {"run_id": results.session.run_id, "name": "render"}
    by_order = {s.order: s for s in results.samples}
    measured = [c for c in results.cells if c.representative]
    assert len(processes) == len(measured)
    for pid, cell in enumerate(measured, start=1):
        assert cell.representative is not None
        steps = by_order[cell.representative.order].steps
        assert sorted(e["name"] for e in spans if e["pid"] == pid) == sorted(s["name"] for s in steps)


def test_representative_run_is_the_median_run(results: SessionResults) -> None:
    by_order = {s.order: s for s in results.samples}
    for cell in results.cells:
        rep, e2e = cell.representative, cell.e2e
        assert rep is not None and e2e is not None
        assert rep.order in cell.counted_orders
        distances = [abs(by_order[o].e2e_s - e2e.median) for o in cell.counted_orders]
        assert abs(rep.e2e_s - e2e.median) == min(distances)
        assert rep.max_parallel >= 1


def test_report_command_renders_results_and_compares(session_dir: Path, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert run_report(ns(session_dir / "results.json", html=out / "r.html", md=out / "s.md",
                         trace=out / "t.json")) == 0
    assert (out / "r.html").read_text().startswith("<!DOCTYPE html>")
    assert json.loads((out / "t.json").read_text())["traceEvents"]
    assert (out / "s.md").read_text().startswith("# autointel benchmark")
    capsys.readouterr()
    assert run_report(ns(session_dir, compare=session_dir / "results.json")) == 0
    printed = capsys.readouterr().out
    assert "median e2e s [95% CI]" in printed and "compared with" in printed
    assert "no_change" in printed or "inconclusive" in printed  # a session against itself


def test_report_command_renders_a_killed_session(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bench = run_session(tmp_path, SyntheticTarget(interrupt_on_call=5), "analysis")
    with pytest.raises(KeyboardInterrupt):
        bench.run()
    report = tmp_path / "report"
    assert not (report / "results.json").exists()
    recovered = load_results(report)
    assert recovered.session.recovered and len(recovered.samples) == 5
    assert {c.combo for c in recovered.cells} == {"baseline", "analysis"}
    assert run_report(ns(report, html=tmp_path / "killed.html")) == 0
    assert "did not finish" in (tmp_path / "killed.html").read_text()
    capsys.readouterr()
    assert run_report(ns(report / "raw_samples.jsonl")) == 0
    assert "baseline" in capsys.readouterr().out


def test_report_command_rejects_bad_input(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text("{")
    (tmp_path / "list.json").write_text("[1, 2]")
    (tmp_path / "empty").mkdir()
    for path, message in ((tmp_path / "nope.json", "no such file"), (tmp_path / "bad.json", "invalid JSON"),
                          (tmp_path / "list.json", "not an autointel results file"),
                          (tmp_path / "empty", "no results.json or raw_samples.jsonl")):
        with pytest.raises(InputError, match=message):
            run_report(ns(path))


def test_quality_page_shows_fact_check_accuracy_beside_its_calibration() -> None:
    from autointel.evaluation.metrics import claim_metrics
    from autointel.evaluation.quality import QualityReport
    from autointel.rendering.quality import quality_markdown

    metrics = claim_metrics(["supported", "contradicted", "unverifiable", "supported"],
                            ["supported", "unverifiable", "unverifiable", "contradicted"], [0.9, 0.4, 0.6, 0.7])
    page = quality_markdown(QualityReport("abc", "2026-12-07", (), None, (), (("claims_set", metrics),)))
    section = page.split("## Fact-check verdicts in full: claims_set (test split)", 1)[1]
    assert "accuracy: 0.500 (majority-class baseline 0.500" in section
    assert "Brier" in section and "0.9-1.0" in section and "supported ->" in section


def test_report_command_renders_every_bench_of_a_root(session_dir: Path, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """The folder a bench run prints as `index:` holds benches, not a results.json: each is rendered and linked."""
    root = tmp_path / "bench-root"
    shutil.copytree(session_dir, root / "session-a" / "bench_one")
    killed = root / "session-a" / "bench_two"
    shutil.copytree(session_dir, killed)
    (killed / "results.json").unlink()  # a killed bench: only its raw samples are left
    (killed / "report.html").unlink(missing_ok=True)
    assert run_report(ns(root)) == 0
    printed = capsys.readouterr().out
    assert f"wrote {root / 'index.html'}" in printed
    index = (root / "index.html").read_text()
    for name in ("session-a/bench_one", "session-a/bench_two"):
        assert f'href="{name}/report.html"' in index and (root / name / "report.html").is_file()
    assert re.search(r"<b style=\"color:#[0-9a-f]{6}\">(PASS|FAIL|INCONCLUSIVE|\?)</b>", index)


def test_phases_are_compared_on_their_own_work_with_the_span_beside_it(results: SessionResults) -> None:
    """Under the flags a phase's span includes waiting; the outputs judge its CPU and show the span for reference."""
    md, page = render_markdown(results), render_html(results)
    section = md.split("## Phases vs baseline", 1)[1].split("\n## ", 1)[0]
    assert "| own work ratio [95% CI] | verdict | span ratio [95% CI] |" in section
    own = next(c for c in results.comparisons if c.metric == "phase-cpu:analysis" and c.name == "memory_ops")
    span = next(c for c in results.comparisons if c.metric == "phase:analysis" and c.name == "memory_ops")
    row = next(r for r in section.splitlines() if r.startswith("| pipeline | analysis | memory_ops |"))
    assert row.endswith(f"| {ratio_ci(own)} | {own.verdict} | {ratio_ci(span)} |")
    assert "Neither is part of the verdict" in section
    assert f"span {ratio_ci(span)}" in page and "own work (thread CPU) ratio of medians" in page
    cell = next(c for c in results.cells if c.combo == "memory_ops")
    assert cell.phase_cpu["analysis"] is not None
