"""The CrewAI engine: every flag combination builds a crew, the master flag runs at every depth, tasks overlap for real.

That it does the pipeline's work is checked with the Flow's in `tests/engines/test_engine_equivalence.py`."""

from __future__ import annotations

import gc
import os
from pathlib import Path

import pytest

from autointel.engines import run_engine
from autointel.engines.crewai_adapter.crew_layout import crew_layout
from autointel.engines.plan import build_plan
from autointel.engines.resources import Resources
from autointel.model import RunResult, Status
from autointel.settings import Depth, Flags
from tests.helpers import fixture_settings, talk_media

ALL = list(Flags.all_combinations())
SOURCE = "health_diet"


@pytest.mark.parametrize("depth", list(Depth))
@pytest.mark.parametrize("flags", ALL, ids=[f.name for f in ALL])
def test_every_combination_builds_a_crew(depth: Depth, flags: Flags, tmp_path: Path) -> None:
    """CrewAI validates the task list when the Crew is built: this is where the old system crashed."""
    from autointel.engines.context import RunContext
    from autointel.engines.crewai_adapter.crew_build import build_crew, make_llm
    from autointel.llm.profiles import BUILTIN_PROFILES, ProviderModel

    settings = fixture_settings(tmp_path, flags, depth=depth)
    layout = crew_layout(build_plan(depth, flags, settings.fact_check_workers))
    ctx = RunContext(source="unused", settings=settings, resources=Resources(settings))
    crew, _ = build_crew(layout, ctx, make_llm(settings, ProviderModel(BUILTIN_PROFILES["instant"])))
    assert [t.name for t in crew.tasks] == [item.step.name for item in layout]
    assert len({id(t.agent) for t in crew.tasks}) == len(crew.tasks)  # one agent per task
    assert [t.async_execution for t in crew.tasks] == [item.is_async for item in layout]



def test_agents_share_one_executor_state_class_and_run_crewais_executor_steps(tmp_path: Path) -> None:
    """The executor subclass exists to skip a per-executor class build; it must still be CrewAI's executor."""
    from crewai.agents.agent_executor import AgentExecutor, AgentExecutorState

    from autointel.engines.context import RunContext
    from autointel.engines.crewai_adapter.crew_build import ExecutorState, StepExecutor, build_crew, make_llm
    from autointel.llm.profiles import BUILTIN_PROFILES, ProviderModel

    settings = fixture_settings(tmp_path, Flags())
    ctx = RunContext(source="unused", settings=settings, resources=Resources(settings))
    crew, _ = build_crew(crew_layout(build_plan(Depth.STANDARD, Flags(), settings.fact_check_workers)), ctx,
                         make_llm(settings, ProviderModel(BUILTIN_PROFILES["instant"])))
    def built() -> int:
        return sum(1 for c in gc.get_objects() if isinstance(c, type) and c.__name__ == "StateWithId")

    before = built()
    for task in crew.tasks[:2]:
        task.agent.create_agent_executor(task=task)
        assert type(task.agent.agent_executor) is StepExecutor
        assert type(task.agent.agent_executor.state) is AgentExecutorState  # the state CrewAI runs with
    assert built() == before and issubclass(ExecutorState, AgentExecutorState)  # no class built per executor
    own, parent = StepExecutor.flow_definition(), AgentExecutor.flow_definition()
    assert own.methods and set(own.methods) == set(parent.methods)

@pytest.mark.slow
@pytest.mark.parametrize("depth", [Depth.STANDARD, Depth.DEEP, Depth.EXPERIMENTAL])
def test_master_flag_runs_at_every_depth(depth: Depth, data_dir: Path, resources: Resources) -> None:
    env_flags = Flags.from_env({"ENABLE_PARALLEL_AUTOINTEL": "true"})
    settings = fixture_settings(data_dir, env_flags, engine="crew", depth=depth)
    result = run_engine(str(talk_media(SOURCE)), settings, resources)
    assert result.status is Status.OK, result.errors
    assert (result.verification is None) == (depth is Depth.STANDARD)


def _overlaps(spans: list[tuple[float, float]]) -> bool:
    return any(a0 < b1 and b0 < a1 for i, (a0, a1) in enumerate(spans) for (b0, b1) in spans[i + 1:])


@pytest.mark.slow
def test_fixed_latency_async_tasks_overlap_and_all_flags_is_faster(data_dir: Path, resources: Resources) -> None:
    source = str(talk_media(SOURCE))
    runs: dict[str, RunResult] = {}
    for flags in (Flags(), Flags(True, True, True)):
        settings = fixture_settings(data_dir, flags, engine="crew", llm_profile="fixed-0.3", depth=Depth.DEEP)
        runs[flags.name] = run_engine(source, settings, resources)
    baseline, widest = runs["baseline"], runs[Flags(True, True, True).name]
    assert baseline.status is Status.OK and widest.status is Status.OK
    timing = {t["name"]: (t["start_s"], t["end_s"]) for t in widest.crew["task_timings"]}  # type: ignore[index,union-attr]
    assert _overlaps([timing[n] for n in ("text_analysis", "fallacy_detection", "perspective_synthesis")])
    assert _overlaps([v for k, v in timing.items() if k.startswith("fact_check_")])
    base_timing = [(t["start_s"], t["end_s"]) for t in baseline.crew["task_timings"]]  # type: ignore[index,union-attr]
    assert not _overlaps(base_timing)
    # The deterministic part of the gain: time spent waiting on the provider (union of call intervals);
    # end-to-end speed is the benchmarks' business.
    assert _busy(widest) < 0.85 * _busy(baseline), (_busy(widest), _busy(baseline))


def _busy(result: RunResult) -> float:
    """Seconds during which at least one LLM call was in flight."""
    calls = sorted((c["start_s"], c["end_s"]) for c in result.crew["llm"]["calls"])  # type: ignore[index]
    total, current_start, current_end = 0.0, None, None
    for start, end in calls:
        if current_end is None or start > current_end:
            total += (current_end - current_start) if current_end is not None else 0.0
            current_start, current_end = start, end
        else:
            current_end = max(current_end, end)
    return total + ((current_end - current_start) if current_end is not None else 0.0)


def test_a_run_writes_nothing_outside_its_data_dir(tmp_path: Path) -> None:
    """A fresh `autointel run` (flow engine: CrewAI and onnxruntime both load) with its own empty HOME and no XDG
    variables, so only this process's own writes are judged: onnxruntime's land in the data dir."""
    import subprocess
    import sys

    home, data = tmp_path / "home", tmp_path / "data"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("XDG_")}
    env.update(HOME=str(home), AUTOINTEL_ENGINE="flow")
    proc = subprocess.run([sys.executable, "-m", "autointel.cli", "run", str(talk_media("health_diet")),
                           "--depth", "standard", "--data-dir", str(data), "--format", "json"],
                          capture_output=True, text=True, env=env, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr
    written = {p.relative_to(home).parts[:3 if p.relative_to(home).parts[0] == ".local" else 2]
               for p in home.rglob("*") if p.is_file()}
    # CrewAI 1.15 builds ~/.config/crewai and its key store from Path.home(), whatever XDG says: the only writes
    # outside the data dir, and CrewAI's own.
    assert written <= {(".config", "crewai"), (".local", "share", "crewai")}, written
    assert not (home / ".cache").exists()  # onnxruntime's device database, when it writes one, is in the data dir
