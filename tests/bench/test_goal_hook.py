"""The plugin is a harness for any pipeline (pytester): it judges no goals of its own, and a project's goals reach
every report only through its `pytest_autointel_goals` hook."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

# In-process pytester restores sys.modules after each inner run; numpy/scipy cannot be imported twice
# in one process, so everything the inner runs need is imported here, once, by the outer session.
import autointel.bench.session
import autointel.bench.synthetic
import autointel.rendering.html
import autointel.stats  # noqa: F401

pytest_plugins = ["pytester"]

# A pipeline of this test's own: a cheap stand-in with the harness's plan, nothing of the autointel engine.
BENCH_TEST = """
from autointel.bench.synthetic import SyntheticTarget

class TinyPipeline(SyntheticTarget):
    def __init__(self):
        super().__init__(seed=3, scale=0.5)

def test_tiny(autointel_bench):
    autointel_bench.add_measurement("tiny.setup_s", [0.01, 0.02])
    results = autointel_bench.run(TinyPipeline(), depth="standard", name="tiny")
    assert results.goals == ()  # goals are judged once, at session end
"""

# One goal, judged from the benches' cells: every cell counted all its measured runs.
PROVIDER = """
from autointel.model.bench_results import GoalRow, SessionResults

def pytest_autointel_goals(benches, measurements, seed):
    assert all(isinstance(r, SessionResults) for r in benches.values()), benches
    cells = [c for r in benches.values() for c in r.cells]
    counted = sum(c.counts.ok for c in cells)
    complete = bool(cells) and all(c.counts.ok == c.counts.measured for c in cells)
    return [GoalRow(id="X1", goal="X1", text="every measured run of the tiny pipeline counts", target="all runs",
                    verdict="pass" if complete else "fail", value=float(counted), unit="runs",
                    where=", ".join(benches), note=f"measurements {sorted(measurements)}; seed {seed}",
                    measured_by="test_bench.py")]
"""

FILES = ("index.json", "summary.md", "tiny/results.json", "tiny/summary.md", "tiny/report.html")


def run(pytester: pytest.Pytester, conftest: str | None) -> pytest.RunResult:
    pytester.makepyfile(test_bench=BENCH_TEST)
    if conftest is not None:
        pytester.makeconftest(conftest)
    return pytester.runpytest("-p", "no:cacheprovider", f"--autointel-report-dir={pytester.path / 'r'}",
                              "--autointel-seed=5", "--autointel-warmup=0", "--autointel-iterations=3",
                              "--autointel-combos=analysis")


def texts(root: Path) -> dict[str, str]:
    return {name: (root / name).read_text(encoding="utf-8") for name in FILES}


def test_without_a_goal_provider_no_report_has_goals(pytester: pytest.Pytester) -> None:
    out = run(pytester, None)
    out.assert_outcomes(passed=1)
    assert out.ret == 0
    found = texts(pytester.path / "r")
    index: dict[str, Any] = json.loads(found["index.json"])
    assert index["goals"] == [] and set(index["benches"]) == {"tiny"} and index["errors"] == []
    assert json.loads(found["tiny/results.json"])["goals"] == []
    for name, text in found.items():
        assert "Performance goals" not in text, name
        assert "G1" not in text and "G8" not in text, name
    assert 'id="goals' not in found["tiny/report.html"]
    stdout = out.stdout.str()
    assert "tiny: " in stdout and "performance goals" not in stdout and "G1" not in stdout


def test_a_conftest_provider_gives_exactly_its_goals(pytester: pytest.Pytester) -> None:
    out = run(pytester, PROVIDER)
    out.assert_outcomes(passed=1)
    assert out.ret == 0  # a goal's verdict never changes the exit status
    found = texts(pytester.path / "r")
    index: dict[str, Any] = json.loads(found["index.json"])
    assert index["errors"] == []
    (goal,) = index["goals"]
    assert (goal["id"], goal["verdict"], goal["value"], goal["where"]) == ("X1", "pass", 6.0, "tiny")  # 2 cells x 3
    assert goal["note"] == "measurements ['tiny.setup_s']; seed 5" and goal["higher_is_worse"] is True
    assert json.loads(found["tiny/results.json"])["goals"] == index["goals"]  # rewritten at session end
    for name in ("summary.md", "tiny/summary.md"):
        rows = [line for line in found[name].splitlines() if line.startswith("| X")]
        assert "## Performance goals" in found[name] and len(rows) == 1, name
        assert rows[0].startswith("| X1 | every measured run of the tiny pipeline counts | 6.000")
        assert "| pass |" in rows[0]
        assert "G1" not in found[name] and "Not measured" not in found[name]
    assert 'id="goals-table"' in found["tiny/report.html"] and "<td>X1</td>" in found["tiny/report.html"]
    out.stdout.fnmatch_lines(["*performance goals*", "*X1*pass*6.000*all runs*tiny*"])
    assert "G1" not in out.stdout.str()


def test_a_failing_provider_is_an_error_of_the_session(pytester: pytest.Pytester) -> None:
    out = run(pytester, "def pytest_autointel_goals(benches, measurements, seed):\n    raise RuntimeError('boom')\n")
    out.assert_outcomes(passed=1)
    assert out.ret == 1  # a goal that could not be judged is not a pass
    index = json.loads((pytester.path / "r" / "index.json").read_text())
    assert index["goals"] == [] and any("RuntimeError: boom" in e for e in index["errors"])
    out.stdout.fnmatch_lines(["*goals: a pytest_autointel_goals implementation failed: RuntimeError: boom*"])
