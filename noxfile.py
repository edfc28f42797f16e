"""nox sessions: tests, lint, quality, bench, reliability. They use the current interpreter (offline-friendly).

`nox -s bench` runs the default benchmark profile (five sessions, in-process; the instant and the hosted LLM
profiles); `nox -s bench -- --full` runs the realistic one (hosted LLM profile, experimental depth, isolated
processes, 1/5/20-minute media); `--only=matrix,length` runs just the named sessions. Extra arguments after `--` go
to pytest.
"""

from __future__ import annotations

import ast
import datetime as dt
import os
from pathlib import Path

import nox

nox.options.default_venv_backend = "none"
nox.options.sessions = ["lint", "tests"]


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite (the README's test command); extra arguments go to pytest."""
    session.run("python", "-m", "pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff over every Python tree, mypy --strict over src."""
    session.run("ruff", "check", "src", "tests", "benchmarks", "fixtures", "noxfile.py", "conftest.py")
    session.run("mypy", "src")


@nox.session
def quality(session: nox.Session) -> None:
    """Score every analyser on the bundled public test splits and the fixture talks; write docs/quality.md."""
    session.run("python", "-m", "autointel.quality_cli", *session.posargs)


@nox.session
def reliability(session: nox.Session) -> None:
    """Regenerate docs/reliability.md from real CLI runs."""
    session.run("python", "benchmarks/experiments/reliability_table.py")


@nox.session
def publish(session: nox.Session) -> None:
    """Keep a bench root's goals as docs/measured/bench.json and rewrite docs/benchmarks.md's table from them."""
    session.run("python", "benchmarks/publish.py", *session.posargs)


EXPERIMENTS = Path("benchmarks/experiments")


def experiments() -> dict[str, str]:
    """Each experiment's name and the first line of its docstring (the file itself is the one definition)."""
    found = {}
    for path in sorted(EXPERIMENTS.glob("*.py")):
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        found[path.stem] = doc.splitlines()[0] if doc else ""
    return found


@nox.session
def experiment(session: nox.Session) -> None:
    """Run one measurement experiment that backs a figure in docs/ (nox -s experiment -- NAME [ARGS]; no NAME lists)."""
    known = experiments()
    if not session.posargs:
        session.log("experiments (nox -s experiment -- NAME [ARGS]):\n" + "\n".join(
            f"  {name}: {line}" for name, line in known.items()))
        return
    name, *args = session.posargs
    if name not in known:
        session.error(f"no experiment named {name!r}; known: {', '.join(known)}")
    session.run("python", str(EXPERIMENTS / f"{name}.py"), *args)


# The optimisation flags, each measured on top of the all-parallel combination it would ship with.
OPTIMISED = "all,all+batched_vector_writes,all+background_graph_commit,all+streaming_transcription"


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmark every flag combination and write the reports (--full: the long profile; --local-llm: llama.cpp
    writing at one and two slots; --only=a,b: those sessions)."""
    full, local = "--full" in session.posargs, "--local-llm" in session.posargs
    only = next((a.split("=", 1)[1].split(",") for a in session.posargs if a.startswith("--only=")), None)
    extra = [a for a in session.posargs if a not in ("--full", "--local-llm") and not a.startswith("--only=")]
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    root = f"reports/bench-{stamp}{'-full' if full else ''}{'-local-llm' if local else ''}"
    env = {"AUTOINTEL_BENCH_PROFILE": "full" if full else "default", "PYTHONHASHSEED": "0"}
    common = [
        "python", "-m", "pytest", "-p", "no:cacheprovider", "-q", "-s", "--rootdir", os.getcwd(),
        "--autointel-history", "reports/history.jsonl",
        "--autointel-fail-on", "invalid,failed",
    ]
    if local:  # the seed's question with a model that thinks here (docs/llm.md): llama.cpp at one and two slots,
        # then the offline LLM replaying the one-slot calls' recorded latencies, to set the model beside a profile
        recorded = f"{root}/local-llm-1-calls.json"
        live = {"AUTOINTEL_BENCH_DEPTH": "experimental", "AUTOINTEL_LLM": "local"}
        runs = [
            ("local-llm-1", "benchmarks/test_flag_matrix.py", "baseline,all", "pipeline,flow",
             ["--autointel-iterations", "6", "--autointel-warmup", "1"],
             live | {"AUTOINTEL_LLM_SLOTS": "1", "AUTOINTEL_LLM_RECORD": recorded}),
            ("local-llm-2", "benchmarks/test_flag_matrix.py", "baseline,all", "pipeline,flow",
             ["--autointel-iterations", "6", "--autointel-warmup", "1"], live | {"AUTOINTEL_LLM_SLOTS": "2"}),
            ("replay-1", "benchmarks/test_flag_matrix.py", "baseline,all", "pipeline,flow",
             ["--autointel-iterations", "6", "--autointel-warmup", "1", "--autointel-llm-profile", recorded],
             {"AUTOINTEL_BENCH_DEPTH": "experimental"}),
            # every flag combination on the flow engine, live at one and two slots, then the one-slot calls replayed
            # (autointel report matrix-replay/results.json --compare matrix-1/results.json sets them side by side)
            ("matrix-1", "benchmarks/test_flag_matrix.py", "matrix", "flow",
             ["--autointel-iterations", "6", "--autointel-warmup", "1"],
             live | {"AUTOINTEL_LLM_SLOTS": "1", "AUTOINTEL_LLM_RECORD": f"{root}/matrix-1-calls.json"}),
            ("matrix-2", "benchmarks/test_flag_matrix.py", "matrix", "flow",
             ["--autointel-iterations", "6", "--autointel-warmup", "1"], live | {"AUTOINTEL_LLM_SLOTS": "2"}),
            ("matrix-replay", "benchmarks/test_flag_matrix.py", "matrix", "flow",
             ["--autointel-iterations", "6", "--autointel-warmup", "1", "--autointel-llm-profile",
              f"{root}/matrix-1-calls.json"], {"AUTOINTEL_BENCH_DEPTH": "experimental"}),
        ]
    elif full:
        runs = [
            # every combination, the pipeline against the default CrewAI engine, honest peak RSS (G5)
            ("matrix", "benchmarks/test_flag_matrix.py", "matrix", "pipeline,flow",
             ["--autointel-iterations", "6", "--autointel-warmup", "1", "--autointel-llm-profile", "hosted",
              "--autointel-isolate", "process"]),
            # G1 for both CrewAI engines: the Flow against the single crew's barriers
            ("hosted", "benchmarks/test_flag_matrix.py", "baseline,all", "flow,crew",
             ["--autointel-iterations", "6", "--autointel-warmup", "1", "--autointel-llm-profile", "hosted"]),
            ("optimisations", "benchmarks/test_flag_matrix.py", OPTIMISED, "pipeline",
             ["--autointel-iterations", "10", "--autointel-warmup", "1", "--autointel-isolate", "process"]),
            # 10 runs per length, 30 at 1 minute, the lengths alternating: with 6, noise spanned the +-15% band (G6.1)
            ("length", "benchmarks/test_media_length.py", "baseline,all", "pipeline",
             ["--autointel-iterations", "10", "--autointel-warmup", "1", "--autointel-isolate", "process"]),
            # 480 rounds (about 20 minutes), the two instruments in every 8th: a round's recorded / unrecorded
            # ratio spreads 0.973-1.032 between its quartiles on this VM, so that ratio's CI was +-9% with 10
            # rounds and +-1.2% with 120, too wide to place a 1.5% median against G8.1's 2%
            ("overhead", "benchmarks/test_harness_overhead.py", "baseline", "pipeline",
             ["--autointel-iterations", "480", "--autointel-warmup", "1"], {"AUTOINTEL_BENCH_INSTRUMENTS_EVERY": "8"}),
        ]
    else:  # 13-16 minutes on 2 cores (docs/benchmarks.md); 6 runs per cell, the fewest a 95% median CI needs
        runs = [
            # CrewAI's own cost per task: no LLM latency (G2.2)
            ("engines", "benchmarks/test_flag_matrix.py", "baseline,all", "pipeline,flow,crew",
             ["--autointel-iterations", "6", "--autointel-warmup", "1"]),
            # the realistic profile: G1 (flow all / flow baseline) and G2.1 (flow / pipeline, same LLM turns)
            ("hosted", "benchmarks/test_flag_matrix.py", "baseline,all", "pipeline,flow",
             ["--autointel-iterations", "6", "--autointel-warmup", "1", "--autointel-llm-profile", "hosted"],
             {"AUTOINTEL_BENCH_DEPTH": "experimental"}),
            ("optimisations", "benchmarks/test_flag_matrix.py", OPTIMISED, "pipeline",
             ["--autointel-iterations", "6", "--autointel-warmup", "1"]),
            ("length", "benchmarks/test_media_length.py", "baseline,all", "pipeline",
             ["--autointel-iterations", "6", "--autointel-warmup", "1"]),
            ("overhead", "benchmarks/test_harness_overhead.py", "baseline", "pipeline",
             ["--autointel-iterations", "6", "--autointel-warmup", "1"]),
        ]
    if only is not None:  # e.g. --only=matrix,length: rerun some sessions; the goals table covers those only
        unknown = sorted(set(only) - {r[0] for r in runs})
        if unknown:
            session.error(f"--only: no bench session named {', '.join(unknown)}")
        runs = [r for r in runs if r[0] in only]
    for folder, path, combos, engines, options, *run_env in runs:
        session.run(*common, path, "--autointel-combos", combos, "--autointel-engines", engines,
                    "--autointel-report-dir", f"{root}/{folder}", *options, *extra, env=env | dict(*run_env))
    session.run("autointel", "report", root, "--goals")  # one goals table from every session above
    session.log(f"reports written under {root}/ (open */report.html; goals in {root}/goals.md)")
