"""A cheap stand-in for the orchestrator, for harness tests: the real plan, steps that just sleep.

It builds the real `build_plan` DAG for the requested depth and flags and runs each step in its own
thread once its dependencies are done, so the flags really change what overlaps. Step durations are
a few milliseconds with seeded multiplicative lognormal noise (CV ~3%). It returns a real RunResult
(plan, fingerprint, flags record, phases and steps from the real SpanRecorder), so the harness
measures it exactly like the real engine. Knobs plant the failures the harness must catch.
"""

from __future__ import annotations

import math
import os
import random
import threading
import time
from collections.abc import Collection
from typing import Any

from autointel.bench.autointel_pipeline import TargetRef
from autointel.engines.plan import Step, build_plan
from autointel.engines.resources import Resources
from autointel.measurement.spans import SpanRecorder, phases_from_steps
from autointel.model import RunError, RunResult, Status, Transcript
from autointel.phases import PHASES
from autointel.settings import Flags, Settings

STEP_MS: dict[str, float] = {
    "acquire": 3.0, "transcribe": 6.0, "text_analysis": 3.0, "fallacy_detection": 3.0,
    "perspective_synthesis": 3.0, "analysis_integration": 1.0, "index_evidence": 2.0,
    "claim_extraction": 2.0, "fact_check": 4.0, "verification_integration": 1.0,
    "memory_store": 3.0, "graph_build": 2.0, "briefing": 2.0,
}


class SyntheticTarget:
    """Callable like `run_engine(source, settings, resources)`.

    slow_phase/factor: multiply that phase's step durations in `slow_combos` (default: every
    non-baseline combination). crash_on_calls: raise on those call indices (0-based, per instance);
    crash_combos: always raise; die_combos: `os._exit(70)` (process isolation tests only);
    interrupt_on_call: raise KeyboardInterrupt; partial_combos: return status partial with an error;
    ignore_flags: always run the baseline structure but report the requested flags (the old bug);
    different_work_combos: produce a different transcript (work not equivalent). seed=None: unseeded
    noise (worker processes each start a fresh instance, so a fixed seed would repeat the same draws).
    """

    def __init__(
        self,
        *,
        seed: int | None = 0,
        cv: float = 0.03,
        scale: float = 1.0,
        slow_phase: str | None = None,
        factor: float = 1.0,
        slow_combos: Collection[str] | None = None,
        crash_on_calls: Collection[int] = (),
        crash_combos: Collection[str] = (),
        die_combos: Collection[str] = (),
        interrupt_on_call: int | None = None,
        partial_combos: Collection[str] = (),
        ignore_flags: bool = False,
        different_work_combos: Collection[str] = (),
    ) -> None:
        self.config: dict[str, Any] = {
            "seed": seed, "cv": cv, "scale": scale, "slow_phase": slow_phase, "factor": factor,
            "slow_combos": None if slow_combos is None else list(slow_combos),
            "crash_on_calls": list(crash_on_calls), "crash_combos": list(crash_combos),
            "die_combos": list(die_combos), "interrupt_on_call": interrupt_on_call,
            "partial_combos": list(partial_combos), "ignore_flags": ignore_flags,
            "different_work_combos": list(different_work_combos),
        }
        self._rng = random.Random(seed)
        self._sigma = math.sqrt(math.log(1.0 + cv * cv))
        self.calls = 0

    def ref(self) -> TargetRef:
        """How a worker process rebuilds this target."""
        return TargetRef("autointel.bench.synthetic:SyntheticTarget", dict(self.config), factory=True)

    def _slowed(self, combo: str) -> bool:
        combos = self.config["slow_combos"]
        return combo != "baseline" if combos is None else combo in combos

    def _duration_s(self, step: Step, combo: str) -> float:
        ms = STEP_MS[step.kind] / step.shards
        if step.phase == self.config["slow_phase"] and self._slowed(combo):
            ms *= float(self.config["factor"])
        noise = self._rng.lognormvariate(-self._sigma**2 / 2.0, self._sigma)
        return ms * noise * float(self.config["scale"]) / 1000.0

    def __call__(self, source: str, settings: Settings, resources: Resources | None = None) -> RunResult:
        call, combo = self.calls, settings.flags.name
        self.calls += 1
        if call == self.config["interrupt_on_call"]:
            raise KeyboardInterrupt(f"planted interrupt on call {call}")
        if combo in self.config["die_combos"]:
            os._exit(70)
        if call in self.config["crash_on_calls"] or combo in self.config["crash_combos"]:
            raise RuntimeError(f"planted crash on call {call} ({combo})")
        ran = Flags() if self.config["ignore_flags"] else settings.flags
        plan = build_plan(settings.depth, ran, settings.fact_check_workers)
        durations = {s.name: self._duration_s(s, combo) for s in plan.steps}  # drawn before threads start
        recorder = SpanRecorder()
        done = {s.name: threading.Event() for s in plan.steps}

        def work(step: Step) -> None:
            for dep in step.waits_for:  # a streaming step's synthetic work is its tail after the stream
                done[dep].wait()
            with recorder.step(step.name, step.phase):
                time.sleep(durations[step.name])
            done[step.name].set()

        threads = [threading.Thread(target=work, args=(s,), name=f"synthetic-{s.name}") for s in plan.steps]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        steps = recorder.steps()
        partial = combo in self.config["partial_combos"]
        other = combo in self.config["different_work_combos"]
        text = f"synthetic talk about {source}" + (" (other work)" if other else "")
        crew = None
        if settings.engine == "crew":
            from autointel.engines.crewai_adapter.crew_layout import crew_layout, describe_layout

            crew = describe_layout(crew_layout(plan))
        elif settings.engine == "flow":
            from autointel.engines.crewai_adapter.flow import describe_flow

            crew = describe_flow(plan)
        return RunResult(
            status=Status.PARTIAL if partial else Status.OK,
            source=source,
            depth=settings.depth.value,
            engine=settings.engine,
            flags=settings.flags.record(),  # what was asked, even when ignore_flags ran something else
            transcript=Transcript(text, (), "en", 1.0),
            phases=phases_from_steps(steps, PHASES),
            steps=steps,
            errors=(RunError("analysis", "RuntimeError", "planted partial failure"),) if partial else (),
            plan=plan.describe(),
            crew=crew,
        )
