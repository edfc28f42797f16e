"""The measurement channel end to end (pytester): extra samples a benchmark records reach
measurements.jsonl, index.json, every bench's results.json and this project's goals (benchmarks/conftest.py's
`pytest_autointel_goals`); the goals reach summary.md and the terminal, and never change the exit status."""

from __future__ import annotations

import json
from typing import Any

import benchmarks.conftest
import benchmarks.goals
import pytest

# In-process pytester restores sys.modules after each inner run; numpy/scipy cannot be imported twice
# in one process, so everything the inner runs need is imported here, once, by the outer session.
import autointel.bench.session
import autointel.bench.synthetic
import autointel.rendering.html
import autointel.stats  # noqa: F401

pytest_plugins = ["pytester"]

# The project's own goal provider, exactly as benchmarks/ registers it.
CONFTEST = """
from benchmarks.conftest import pytest_autointel_goals
"""

CHANNEL_TEST = """
import pytest
from benchmarks import goals
from autointel.bench.synthetic import SyntheticTarget

def test_overhead(autointel_bench):
    base = [1.0, 1.001, 0.999, 1.0, 1.002, 0.998]
    autointel_bench.add_measurement(goals.UNRECORDED, base, engine="pipeline")
    autointel_bench.add_measurement(goals.RECORDED["default"], [v + 0.001 for v in base])
    autointel_bench.add_measurement(goals.CLI_HELP, 0.2)
    autointel_bench.add_measurement(goals.CLI_HELP, [0.21, 0.19, 0.2, 0.22, 0.18])
    with pytest.raises(ValueError, match="finite"):
        autointel_bench.add_measurement("broken", [float("nan")])
    with pytest.raises(ValueError, match="is in s"):
        autointel_bench.add_measurement(goals.CLI_HELP, [1.0], unit="ms")

def test_matrix(autointel_bench):
    results = autointel_bench.run(SyntheticTarget(), depth="standard", name="matrix", combos="baseline")
    assert [c.combo for c in results.cells] == ["baseline"]  # the bench's own override
    assert results.goals == ()  # judged at session end, over every bench and measurement
"""

ONLY_MEASUREMENTS = """
def test_only(autointel_bench):
    autointel_bench.add_measurement("cli_help_s", [0.9, 0.95, 0.92, 0.91, 0.93, 0.94])
"""


def run(pytester: pytest.Pytester, source: str, *args: str) -> pytest.RunResult:
    pytester.makepyfile(test_bench=source)
    pytester.makeconftest(CONFTEST)
    return pytester.runpytest("-p", "no:cacheprovider", f"--autointel-report-dir={pytester.path / 'r'}",
                              "--autointel-seed=5", "--autointel-warmup=0", "--autointel-iterations=2",
                              "--autointel-combos=analysis", *args)


def load(pytester: pytest.Pytester, *parts: str) -> Any:
    return json.loads(pytester.path.joinpath("r", *parts).read_text())


def by_id(found: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {g["id"]: g for g in found}


def test_measurements_reach_the_session_json_and_the_goals(pytester: pytest.Pytester) -> None:
    out = run(pytester, CHANNEL_TEST)
    out.assert_outcomes(passed=2)
    assert out.ret == 0
    index = load(pytester, "index.json")
    measured = {m["name"]: m for m in index["measurements"]}
    assert set(measured) == {benchmarks.goals.UNRECORDED, benchmarks.goals.RECORDED["default"],
                             benchmarks.goals.CLI_HELP}
    helps = measured[benchmarks.goals.CLI_HELP]
    assert helps["values"] == [0.2, 0.21, 0.19, 0.2, 0.22, 0.18] and helps["unit"] == "s"
    assert helps["tests"] == ["test_bench.py::test_overhead"]
    assert measured[benchmarks.goals.UNRECORDED]["info"] == {"engine": "pipeline"}
    lines = pytester.path.joinpath("r", "measurements.jsonl").read_text().splitlines()
    assert len(lines) == 4 and json.loads(lines[2])["values"] == [0.2]  # appended as recorded
    goals = by_id(index["goals"])
    assert goals["G8.1"]["verdict"] == "pass" and goals["G8.1"]["n"] == 6
    assert goals["G8.4"]["verdict"] == "pass" and goals["G8.4"]["value"] == pytest.approx(0.2)
    assert goals["G8.2"]["verdict"] == goals["G1.1"]["verdict"] == "not_measured"
    results = load(pytester, "matrix", "results.json")
    assert results["goals"] == index["goals"] and results["measurements"] == index["measurements"]
    assert "G8.1" in pytester.path.joinpath("r", "matrix", "summary.md").read_text()
    assert 'id="goals-table"' in pytester.path.joinpath("r", "matrix", "report.html").read_text()
    summary = pytester.path.joinpath("r", "summary.md").read_text()
    assert "## Performance goals" in summary and "| G8.1 |" in summary and "matrix: **PASS**" in summary
    out.stdout.fnmatch_lines(["*performance goals*", "*G8.1*pass*<= 1.02x*",
                              "*Not measured in this session*G1.1*need benchmarks/test_flag_matrix.py*"])


def test_a_session_of_measurements_only_still_reports(pytester: pytest.Pytester) -> None:
    out = run(pytester, ONLY_MEASUREMENTS)
    assert out.ret == 0
    goals = by_id(load(pytester, "index.json")["goals"])
    assert goals["G8.4"]["verdict"] == "fail"  # 0.9 s is over the 0.5 s goal: reported, exit status untouched
    assert load(pytester, "index.json")["benches"] == {}
    assert "none (measurements only)" in pytester.path.joinpath("r", "summary.md").read_text()
    out.stdout.fnmatch_lines(["*G8.4*fail*"])
