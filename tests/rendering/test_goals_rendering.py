"""The goals table in every output: near the top of the HTML report, in summary.md and the terminal,
with the same digits and verdicts; not-measured goals name their benchmark; nothing is recomputed."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest
from benchmarks.goals import evaluate_goals

from autointel.bench.autointel_pipeline import AutointelPipeline
from autointel.bench.options import BenchOptions, parse_combos
from autointel.bench.session import BenchSession
from autointel.bench.synthetic import SyntheticTarget
from autointel.model.bench_results import Banner, SessionInfo, SessionResults, goal_rows
from autointel.rendering.goals import markdown_lines, measured, terminal_lines
from autointel.rendering.html import render_html
from autointel.rendering.markdown import render_markdown, render_session_markdown
from autointel.rendering.terminal import render_terminal
from autointel.settings import Depth, load_settings


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> SessionResults:
    """A real (synthetic) session's results with goals judged from planted numbers: a fail, a pass,
    a measured figure and the rest not measured."""
    root = tmp_path_factory.mktemp("goals")
    opts = BenchOptions(combos=parse_combos("analysis"), iterations=2, warmup=0, seed=1)
    settings = load_settings({}, depth=Depth.STANDARD, data_dir=root / "data")
    BenchSession(opts, source="talk", pipeline=AutointelPipeline(settings, SyntheticTarget()),
                 report_dir=root / "report", name="goals").run()
    found = SessionResults.from_json((root / "report" / "results.json").read_text())
    planted = {"session": {"depth": "experimental", "llm_profile": "hosted", "options": {}, "command_line": []},
               "comparisons": [{"engine": "crew", "metric": "e2e", "name": "all", "ratio": 0.7, "ratio_ci_low": 0.68,
                                "ratio_ci_high": 0.71, "n": 5, "n_baseline": 5}]}
    measurements = {"cli_help_s": {"values": [0.2, 0.21, 0.19, 0.2, 0.22, 0.18]},
                    "harness_overhead.unrecorded_s": {"values": [1.0, 1.1, 0.9, 1.0, 1.05, 0.95]},
                    "harness_overhead.tracemalloc_s": {"values": [4.0, 4.4, 3.6, 4.0, 4.2, 3.8]}}
    goals = goal_rows(evaluate_goals({"m": planted}, measurements, seed=1))
    return dataclasses.replace(found, goals=goals, session=dataclasses.replace(found.session, name="<goals>"))


def no_goals() -> SessionResults:
    banner = Banner(verdict="pass", triggered=(), fail_on=(), conditions={}, reasons=(), headline="", failed_runs=0,
                    invalid_runs=0)
    return SessionResults(session=SessionInfo(run_id="r0", name="empty"), banner=banner)


def test_a_bench_session_alone_judges_no_goals(tmp_path: Path) -> None:
    """Goals come from a pytest session's goal providers; a BenchSession used without pytest has none."""
    opts = BenchOptions(combos=parse_combos("baseline"), iterations=2, warmup=0, seed=1)
    settings = load_settings({}, depth=Depth.STANDARD, data_dir=tmp_path / "data")
    BenchSession(opts, source="talk", pipeline=AutointelPipeline(settings, SyntheticTarget()),
                 report_dir=tmp_path / "r", name="s").run()
    saved = SessionResults.from_json((tmp_path / "r" / "results.json").read_text())
    assert saved.goals == ()
    assert "Performance goals" not in (tmp_path / "r" / "summary.md").read_text()
    page = (tmp_path / "r" / "report.html").read_text()
    assert 'id="goals"' not in page and "Performance goals" not in page


def test_goals_without_data_fold_into_one_line_and_no_table() -> None:
    goals = goal_rows(evaluate_goals({}))
    page = render_html(dataclasses.replace(no_goals(), goals=goals))
    assert 'id="goals-table"' not in page  # nothing measured: no table of empty rows
    assert f"Not measured in this session ({len(goals)} goals)" in page


def test_html_puts_the_verdict_matrix_and_timeline_before_the_goals(results: SessionResults) -> None:
    page = render_html(results)
    assert page.index('id="banner"') < page.index('id="matrix-section"') < page.index('id="timeline"')
    assert page.index('id="timeline"') < page.index('id="goals"')
    table = re.search(r'<table id="goals-table".*?</table>', page, re.S)
    assert table
    rows = re.findall(r'<tr class="(v-[a-z_]+)"><td>(G[\d.]+)</td>', table.group(0))
    verdicts = {goal_id: cls for cls, goal_id in rows}
    assert verdicts["G1.1"] == "v-fail" and verdicts["G8.4"] == "v-pass" and verdicts["G8.2"] == "v-measured"
    missing = [g for g in results.goals if g.verdict == "not_measured"]
    assert "G5" not in verdicts and missing and len(rows) == len(results.goals) - len(missing)
    g11 = next(g for g in results.goals if g.id == "G1.1")
    assert measured(g11) == "0.700 [0.680, 0.710] x" and measured(g11) in table.group(0)
    folded = re.search(r'<p id="goals-missing" class="hint">(.*?)</p>', page)
    assert folded and f"({len(missing)} goals)" in folded.group(1)
    assert all(g.id in folded.group(1) for g in missing)
    assert "need benchmarks/test_media_length.py" in folded.group(1)
    assert '<a href="#goals">Performance goals</a>' in page
    assert "&lt;goals&gt;" in page and "<goals>" not in page


def test_markdown_and_terminal_list_every_goal_with_its_verdict(results: SessionResults) -> None:
    md, term = render_markdown(results), render_terminal(results)
    assert md.index("## Performance goals") < md.index("## Combinations")
    for g in results.goals:
        if g.verdict == "not_measured":  # folded into one line, naming the benchmark that measures it
            for text in (md, term):
                folded = next(t for t in text.splitlines() if t.startswith("Not measured in this session"))
                assert re.search(rf"\b{re.escape(g.id)}\b", folded) and g.measured_by in folded
            continue
        row = next(r for r in md.splitlines() if r.startswith(f"| {g.id} |"))
        line = next(t for t in term.splitlines() if t.startswith(g.id + " "))
        for text in (row, line):
            assert g.verdict in text and measured(g) in text and g.target in text
    assert "\n".join(markdown_lines(results.goals)) in md  # the same table alone (report --goals)
    assert "\n".join(terminal_lines(results.goals)) in term
    assert "fail (stretch <= 0.48x: fail)" in md
    assert "- **G5**" not in md and "- **G1.1** ratio of medians crew all / crew baseline" in md


def test_results_without_goals_still_render() -> None:
    page = render_html(no_goals())
    assert 'id="goals"' not in page and "Performance goals" not in page  # no provider: no section at all
    assert "Performance goals" not in render_markdown(no_goals())
    assert "performance goals" not in render_terminal(no_goals())
    assert markdown_lines(()) == [] and terminal_lines(()) == []


def test_session_summary_lists_goals_benches_and_measurements(results: SessionResults) -> None:
    goals = [dataclasses.asdict(g) for g in results.goals]  # index.json holds them as JSON objects
    index = {"run_id": "r1", "goals": json.loads(json.dumps(goals)), "errors": ["x: could not finalise"],
             "benches": {"goals": {"verdict": "pass", "headline": "fine", "report_dir": "/tmp/g"}},
             "measurements": [{"name": "cli_help_s", "unit": "s", "values": [0.2, 0.21]}]}
    text = render_session_markdown(index)
    assert text.startswith("# autointel benchmark session r1")
    assert "| G8.4 |" in text and "- goals: **PASS**: fine (`/tmp/g`)" in text
    assert "| cli_help_s | s | 2 | 0.2000, 0.2100 |" in text and "- x: could not finalise" in text
    assert "\n".join(markdown_lines(results.goals)) in text
    assert "No goals were evaluated." in render_session_markdown({"run_id": "r2", "benches": {}})
