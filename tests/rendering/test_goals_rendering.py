"""The goals table in every output: near the top of the HTML report, in summary.md and the terminal,
with the same digits and verdicts; not-measured goals name their benchmark; nothing is recomputed."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from autointel.bench.goals import evaluate_goals
from autointel.bench.options import BenchOptions, parse_combos
from autointel.bench.session import BenchSession
from autointel.bench.synthetic import SyntheticTarget
from autointel.rendering.goals import measured
from autointel.rendering.html import render_html
from autointel.rendering.markdown import render_markdown, render_session_markdown
from autointel.rendering.terminal import render_terminal
from autointel.settings import Depth, load_settings


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A real (synthetic) session's results with goals judged from planted numbers: a fail, a pass,
    a measured figure and the rest not measured."""
    root = tmp_path_factory.mktemp("goals")
    opts = BenchOptions(combos=parse_combos("analysis"), iterations=2, warmup=0, seed=1)
    settings = load_settings({}, depth=Depth.STANDARD, data_dir=root / "data")
    found = BenchSession(opts, source="talk", settings=settings, report_dir=root / "report",
                         target=SyntheticTarget(), name="goals").run()
    planted = {"session": {"depth": "experimental", "llm_profile": "hosted", "options": {}, "command_line": []},
               "comparisons": [{"engine": "crew", "metric": "e2e", "name": "all", "ratio": 0.7, "ratio_ci_low": 0.68,
                                "ratio_ci_high": 0.71, "n": 5, "n_baseline": 5}]}
    measurements = {"cli_help_s": {"values": [0.2, 0.21, 0.19, 0.2, 0.22, 0.18]},
                    "harness_overhead.unrecorded_s": {"values": [1.0, 1.1, 0.9, 1.0, 1.05, 0.95]},
                    "harness_overhead.tracemalloc_s": {"values": [4.0, 4.4, 3.6, 4.0, 4.2, 3.8]}}
    found["goals"] = evaluate_goals({"m": planted}, measurements, seed=1)
    found["session"]["name"] = "<goals>"
    return found


def test_session_results_carry_goals_and_the_report_shows_them(tmp_path: Path) -> None:
    opts = BenchOptions(combos=parse_combos("baseline"), iterations=2, warmup=0, seed=1)
    settings = load_settings({}, depth=Depth.STANDARD, data_dir=tmp_path / "data")
    BenchSession(opts, source="talk", settings=settings, report_dir=tmp_path / "r", target=SyntheticTarget(),
                 name="s").run()
    saved = json.loads((tmp_path / "r" / "results.json").read_text())
    assert [g["verdict"] for g in saved["goals"]] == ["not_measured"] * len(saved["goals"])
    assert "## Performance goals" in (tmp_path / "r" / "summary.md").read_text()
    assert 'id="goals-table"' in (tmp_path / "r" / "report.html").read_text()


def test_html_puts_the_goals_table_right_after_the_verdict(results: dict[str, Any]) -> None:
    page = render_html(results)
    assert page.index('id="banner"') < page.index('id="goals"') < page.index('id="matrix-section"')
    table = re.search(r'<table id="goals-table".*?</table>', page, re.S)
    assert table
    rows = re.findall(r'<tr class="(v-[a-z_]+)"><td>(G[\d.]+)</td>', table.group(0))
    verdicts = {goal_id: cls for cls, goal_id in rows}
    assert verdicts["G1.1"] == "v-fail" and verdicts["G8.4"] == "v-pass" and verdicts["G8.2"] == "v-measured"
    assert verdicts["G5"] == "v-not_measured" and len(rows) == len(results["goals"])
    g11 = next(g for g in results["goals"] if g["id"] == "G1.1")
    assert measured(g11) == "0.700 [0.680, 0.710] x" and measured(g11) in table.group(0)
    assert "not measured in this session" in table.group(0)
    assert "needs benchmarks/test_media_length.py" in table.group(0)
    assert '<a href="#goals">Performance goals</a>' in page
    assert "&lt;goals&gt;" in page and "<goals>" not in page


def test_markdown_and_terminal_list_every_goal_with_its_verdict(results: dict[str, Any]) -> None:
    md, term = render_markdown(results), render_terminal(results)
    assert md.index("## Performance goals") < md.index("## Combinations")
    for g in results["goals"]:
        row = next(r for r in md.splitlines() if r.startswith(f"| {g['id']} |"))
        line = next(t for t in term.splitlines() if t.startswith(g["id"] + " "))
        for text in (row, line):
            assert g["verdict"] in text and measured(g) in text and g["target"] in text
    assert "fail (stretch <= 0.48x: fail)" in md
    assert "- **G5** not measured:" in md and "- **G1.1** ratio of medians crew all / crew baseline" in md


def test_results_without_goals_still_render() -> None:
    assert "the goals were not evaluated" in render_html({})
    assert "Performance goals" not in render_markdown({}) and "performance goals" not in render_terminal({})


def test_session_summary_lists_goals_benches_and_measurements(results: dict[str, Any]) -> None:
    index = {"run_id": "r1", "goals": results["goals"], "errors": ["x: could not finalise"],
             "benches": {"goals": {"verdict": "pass", "headline": "fine", "report_dir": "/tmp/g"}},
             "measurements": [{"name": "cli_help_s", "unit": "s", "values": [0.2, 0.21]}]}
    text = render_session_markdown(index)
    assert text.startswith("# autointel benchmark session r1")
    assert "| G8.4 |" in text and "- goals: **PASS**: fine (`/tmp/g`)" in text
    assert "| cli_help_s | s | 2 | 0.2000, 0.2100 |" in text and "- x: could not finalise" in text
