"""The pytest plugin end to end (pytester): options, reports, exit status without traceback,
and the pytest-benchmark pedantic path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

# In-process pytester restores sys.modules after each inner run; numpy/scipy cannot be imported twice
# in one process, so everything the inner runs need is imported here, once, by the outer session.
import autointel.bench.session
import autointel.bench.synthetic
import autointel.bench.worker
import autointel.stats  # noqa: F401

pytest_plugins = ["pytester"]

FIXTURE_TEST = """
from autointel.bench.synthetic import SyntheticTarget
from autointel.model.bench_results import SessionResults

def test_matrix(autointel_bench):
    results = autointel_bench.run(SyntheticTarget({knobs}), depth="standard", name="matrix")
    assert isinstance(results, SessionResults)
    assert results.session.name == "matrix" and results.session.depth == "standard"
"""

PEDANTIC_TEST = """
import pytest
from autointel.bench.synthetic import SyntheticTarget

TARGET = SyntheticTarget({knobs})

@pytest.mark.autointel_matrix
def test_e2e(autointel_bench, autointel_combo, benchmark):
    autointel_bench.pedantic(benchmark, autointel_combo, TARGET, depth="standard")
"""


def run(pytester: pytest.Pytester, source: str, *args: str, knobs: str = "") -> pytest.RunResult:
    pytester.makepyfile(test_bench=source.format(knobs=knobs))
    report = pytester.path / "r"
    return pytester.runpytest("-p", "no:cacheprovider", f"--autointel-report-dir={report}",
                              "--autointel-seed=5", "--autointel-warmup=1", *args)


def results(pytester: pytest.Pytester, name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((pytester.path / "r" / name / "results.json").read_text())
    return data


def test_fixture_path_writes_reports_and_passes(pytester: pytest.Pytester) -> None:
    out = run(pytester, FIXTURE_TEST, "--autointel-combos=analysis", "--autointel-iterations=3")
    out.assert_outcomes(passed=1)
    assert out.ret == 0
    folder = pytester.path / "r" / "matrix"
    assert {"results.json", "summary.md", "raw_samples.jsonl"} <= {p.name for p in folder.iterdir()}
    data = results(pytester, "matrix")
    # three runs a cell cannot bound a median: no slowdown ruled out, so inconclusive, and that is no failure
    assert data["banner"]["verdict"] == "inconclusive" and data["banner"]["triggered"] == []
    assert [c["counts"]["ok"] for c in data["cells"]] == [3, 3]
    assert len((folder / "raw_samples.jsonl").read_text().splitlines()) == 8  # 2 cells x (1 warmup + 3)
    text = out.stdout.str()
    assert "autointel benchmark" in text and "matrix: INCONCLUSIVE" in text
    assert "! regressions (end to end): inconclusive:" in text
    index = json.loads((pytester.path / "r" / "index.json").read_text())
    assert index["benches"]["matrix"]["verdict"] == "inconclusive"


TOGETHER_TEST = """
from autointel.bench.synthetic import SyntheticTarget

CALLS = []

class Recorded(SyntheticTarget):
    def __init__(self, name):
        super().__init__()
        self.name = name

    def __call__(self, *args, **kwargs):
        CALLS.append(self.name)
        return super().__call__(*args, **kwargs)

def test_together(autointel_bench):
    results = autointel_bench.run_together([
        ("short", Recorded("short"), {{"depth": "standard", "iterations": 6}}),
        ("long", Recorded("long"), {{"depth": "standard"}}),
    ])
    assert list(results) == ["short", "long"]
    assert [c.counts.ok for c in results["short"].cells] == [6, 6]
    assert [c.counts.ok for c in results["long"].cells] == [2, 2]
    assert [r.session.name for r in results.values()] == ["short", "long"]
    measured = CALLS[4:]
    assert measured[:8].count("long") == 2 and measured[8:].count("long") == 2, CALLS
"""


def test_benches_run_together_alternate_and_report_each(pytester: pytest.Pytester) -> None:
    out = run(pytester, TOGETHER_TEST, "--autointel-combos=baseline,all", "--autointel-iterations=2")
    out.assert_outcomes(passed=1)
    assert out.ret == 0
    index = json.loads((pytester.path / "r" / "index.json").read_text())
    assert set(index["benches"]) == {"short", "long"}
    assert len((pytester.path / "r" / "short" / "raw_samples.jsonl").read_text().splitlines()) == 14


def test_results_name_the_command_that_reproduces_them(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUTOINTEL_BENCH_DEPTH", "experimental")
    out = run(pytester, FIXTURE_TEST, "--autointel-combos=analysis", "--autointel-iterations=1")
    assert out.ret == 0
    command = results(pytester, "matrix")["session"]["command_line"]
    assert command[:2] == ["AUTOINTEL_BENCH_DEPTH=experimental", "pytest"]  # not pytest's __main__.py
    assert "--autointel-combos=analysis" in command and "--autointel-seed=5" in command


def test_invalid_run_exits_1_without_traceback(pytester: pytest.Pytester) -> None:
    out = run(pytester, FIXTURE_TEST, "--autointel-combos=analysis", "--autointel-iterations=2",
              "--autointel-fail-on=invalid", knobs="ignore_flags=True")
    assert out.ret == 1
    text = out.stdout.str() + out.stderr.str()
    assert "Traceback" not in text
    out.stdout.re_match_lines([r".*1 passed.*"])
    out.stdout.fnmatch_lines(["*fail-on condition(s) held: matrix: invalid*"])
    assert results(pytester, "matrix")["banner"]["triggered"] == ["invalid"]


def test_fail_on_is_selective(pytester: pytest.Pytester) -> None:
    out = run(pytester, FIXTURE_TEST, "--autointel-combos=analysis", "--autointel-iterations=2",
              "--autointel-fail-on=failed", knobs="ignore_flags=True")
    assert out.ret == 0  # invalid runs are reported, but only 'failed' was asked to fail the session
    assert "matrix: PASS" in out.stdout.str()
    assert results(pytester, "matrix")["banner"]["conditions"]["invalid"]


def test_crashed_run_fails_the_session_by_default(pytester: pytest.Pytester) -> None:
    out = run(pytester, FIXTURE_TEST, "--autointel-combos=baseline", "--autointel-iterations=3",
              knobs="crash_on_calls={2}")
    assert out.ret == 1
    out.assert_outcomes(passed=1)
    assert "Traceback" not in out.stdout.str()
    data = results(pytester, "matrix")
    assert data["cells"][0]["counts"]["failed"] == 1 and data["cells"][0]["e2e"]["n"] == 2


def test_ini_twin_sets_options(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nautointel_iterations = 2\nautointel_combos = memory_ops\n")
    out = run(pytester, FIXTURE_TEST)
    assert out.ret == 0
    assert [(c["combo"], c["counts"]["ok"]) for c in results(pytester, "matrix")["cells"]] == [
        ("baseline", 2), ("memory_ops", 2)]


def test_bad_option_is_a_usage_error(pytester: pytest.Pytester) -> None:
    out = run(pytester, FIXTURE_TEST, "--autointel-combos=turbo")
    assert out.ret == pytest.ExitCode.USAGE_ERROR
    assert "unknown flag combination" in out.stderr.str()


def test_pedantic_path_feeds_pytest_benchmark(pytester: pytest.Pytester) -> None:
    out = run(pytester, PEDANTIC_TEST, "--autointel-combos=analysis", "--autointel-iterations=3",
              "--benchmark-json=bench.json", knobs="crash_combos=['analysis']")
    out.assert_outcomes(passed=2)
    assert out.ret == 1 and "Traceback" not in out.stdout.str()  # the crashed combination fails the session
    bench = json.loads((pytester.path / "bench.json").read_text())
    names = [b["name"] for b in bench["benchmarks"]]
    assert names == ["test_e2e[baseline-pipeline]"]  # crashed rounds never reach pytest-benchmark's stats
    entry = bench["benchmarks"][0]
    assert entry["stats"]["rounds"] == 3
    assert set(entry["extra_info"]["phases_wall_s"]) == {"acquisition", "transcription", "analysis"}
    assert entry["extra_info"]["fingerprint"]
    data = results(pytester, "test_e2e")
    counts = {c["combo"]: c["counts"] for c in data["cells"]}
    assert counts["baseline"]["ok"] == 3 and counts["analysis"]["failed"] == 4
    assert data["banner"]["triggered"] == ["failed"]


def test_pedantic_path_clean_run_exits_0(pytester: pytest.Pytester, tmp_path: Path) -> None:
    out = run(pytester, PEDANTIC_TEST, "--autointel-combos=analysis", "--autointel-iterations=3",
              "--benchmark-json=bench.json")
    out.assert_outcomes(passed=2)
    assert out.ret == 0
    bench = json.loads((pytester.path / "bench.json").read_text())
    assert sorted(b["param"] for b in bench["benchmarks"]) == ["analysis-pipeline", "baseline-pipeline"]
    assert all(len(b["extra_info"]["e2e_s"]) == 3 for b in bench["benchmarks"])
