"""The harness benchmarks a pipeline that is not autointel: its own flags, phases and engines, the full report,
and not one autointel goal (examples/wordcount, run by pytester as a user would run it)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from autointel.bench.measure import RunSpec, measure
from autointel.bench.options import BenchOptions
from autointel.bench.pipeline import FunctionPipeline, Outcome, PhaseClock
from autointel.bench.session import BenchSession
from autointel.model.combo import FlagSpace

pytest_plugins = ["pytester"]

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "wordcount"
SPACE = FlagSpace(factors=("fast",), engines=("one",))


def copy_example(pytester: pytest.Pytester) -> None:
    for name in ("wordcount.py", "conftest.py", "test_bench_wordcount.py", "text.txt"):
        shutil.copy(EXAMPLE / name, pytester.path / name)


def bench(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:randomly",
                                         f"--autointel-report-dir={pytester.path / 'r'}", "--autointel-seed=3",
                                         *args)


def test_a_foreign_pipeline_gets_the_full_report_without_autointel_goals(pytester: pytest.Pytester) -> None:
    copy_example(pytester)
    out = bench(pytester, "--autointel-combos=matrix", "--autointel-iterations=3")
    assert out.ret == 0, out.stdout.str()
    folder = pytester.path / "r" / "wordcount"
    data: dict[str, Any] = json.loads((folder / "results.json").read_text())
    assert [c["combo"] for c in data["cells"]] == ["baseline", "parallel_count", "parallel_tokenize", "all"]
    assert {c["engine"] for c in data["cells"]} == {"threads"}
    assert all(set(c["flags"]) == {"parallel_tokenize", "parallel_count"} for c in data["cells"])
    assert all(set(c["phases"]) == {"read", "tokenize", "count"} for c in data["cells"])
    assert {e["name"] for e in data["effects"] if e["kind"] == "main"} == {"parallel_tokenize", "parallel_count"}
    assert all(e["matches"] for e in data["equivalence"]) and len(data["equivalence"]) == 4
    assert data["goals"] == [] and data["session"]["settings"] == {"chunk_chars": 100, "delay_s": 0.01}
    html, summary = (folder / "report.html").read_text(), (folder / "summary.md").read_text()
    assert "flags: PT parallel_tokenize, PC parallel_count" in html
    assert "G1.1" not in html + summary and "Performance goals" not in html + summary  # no autointel goal
    assert "depth" not in html.split("</header>")[0] and "depth" not in summary.split("\n\n")[2]  # nor its settings
    assert "performance goals" not in out.stdout.str()


def test_a_foreign_pipeline_runs_in_worker_processes(pytester: pytest.Pytester,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    copy_example(pytester)
    monkeypatch.setenv("PYTHONPATH", str(pytester.path))  # the worker imports wordcount:pipeline
    out = bench(pytester, "--autointel-combos=parallel_tokenize", "--autointel-iterations=2",
                "--autointel-isolate=process")
    assert out.ret == 0, out.stdout.str()
    lines = (pytester.path / "r" / "wordcount" / "raw_samples.jsonl").read_text().splitlines()
    samples = [json.loads(line) for line in lines]
    assert len(samples) == 6 and all(s["isolated"] and s["status"] == "ok" and s["valid"] for s in samples)


def test_combinations_are_read_against_the_pipelines_own_flags(pytester: pytest.Pytester) -> None:
    copy_example(pytester)
    out = bench(pytester, "--autointel-combos=analysis")
    assert out.ret == pytest.ExitCode.USAGE_ERROR
    assert "unknown flag combination 'analysis'" in out.stderr.str() and "parallel_count" in out.stderr.str()
    assert "Traceback" not in out.stderr.str()


def run_with(function: Any, tmp_path: Path) -> list[Any]:
    pipeline = FunctionPipeline(SPACE, function)
    options = BenchOptions(combos=SPACE.parse_list("fast"), engines=("one",), iterations=2, warmup=0, seed=1)
    session = BenchSession(options, source="s", pipeline=pipeline, report_dir=tmp_path / "r")
    session.run()
    return session.samples


def test_a_function_that_returns_no_digest_is_a_failed_run(tmp_path: Path) -> None:
    samples = run_with(lambda source, flags, engine, clock: None, tmp_path)
    assert all(s.status == "failed" and "not a digest mapping" in (s.error or "") for s in samples)


def test_phases_timed_by_the_clock_reach_the_sample(tmp_path: Path) -> None:
    def two_phases(source: str, flags: Mapping[str, bool], engine: str, clock: PhaseClock) -> dict[str, Any]:
        with clock.phase("a"):
            sum(range(10_000))
        with clock.phase("b"):
            pass
        return {"fast": flags["fast"]}  # the work differs with the flag: the equivalence check must see it

    samples = run_with(two_phases, tmp_path)
    assert all(set(s.phases) == {"a", "b"} and s.status == "ok" for s in samples)
    assert {json.dumps(s.digest) for s in samples} == {'{"fast": false}', '{"fast": true}'}
    assert [st["name"] for st in samples[0].steps] == ["a", "b"]


class Liar:
    """A run that reports other flags than it was given: invalid, and never counted."""

    def __call__(self) -> object:
        return None

    def outcome(self, returned: object | None, error: str | None, e2e_s: float) -> Outcome:
        return Outcome(flags={"fast": True}, engine="two", structure="x", expected_structure="y", digest={"n": 1})


def test_a_run_that_reports_other_flags_engine_or_structure_is_invalid() -> None:
    sample = measure(Liar(), RunSpec("r", "baseline", "one"), {"fast": False})
    assert sample.status == "ok" and not sample.valid and not sample.counts
    assert all(word in (sample.invalid_reason or "") for word in ("flags reported", "engine", "structure"))


class BrokenBookkeeping(Liar):
    def outcome(self, returned: object | None, error: str | None, e2e_s: float) -> Outcome:
        raise KeyError("phases")


def test_broken_bookkeeping_is_a_failed_run_not_a_crash() -> None:
    sample = measure(BrokenBookkeeping(), RunSpec("r", "baseline", "one"), {"fast": False})
    assert sample.status == "failed" and "KeyError" in (sample.error or "") and not sample.valid


def test_a_killed_foreign_session_is_rebuilt_from_its_samples(tmp_path: Path) -> None:
    """`autointel report` on a folder with only raw_samples.jsonl: the flags come from the samples themselves."""
    from autointel.report_cli import results_from_raw

    def work(source: str, flags: Mapping[str, bool], engine: str, clock: PhaseClock) -> dict[str, Any]:
        with clock.phase("only"):
            pass
        return {"same": True}

    run_with(work, tmp_path)
    rebuilt = results_from_raw(tmp_path / "r" / "raw_samples.jsonl")
    assert [(c.combo, c.engine, c.flags) for c in rebuilt.cells] == [
        ("baseline", "one", {"fast": False}), ("all", "one", {"fast": True})]  # its one flag is all of them
    assert rebuilt.session.recovered and all(e.matches for e in rebuilt.equivalence)
