"""The `flow` engine: the step plan as a CrewAI Flow, each step a one-task crew started by its dependencies.

A single crew's sequential process cannot express a DAG: every sync task is a barrier for all pending
async tasks, so a layout is a chain of stages (see `crew.py`). A Flow listener fires when exactly its
own dependencies finished (`and_`), so the flow runs the plan's DAG as drawn; a step that streams another
(in the widest DAG: claim extraction, the analysers and the fact-check shards) fires with that step's
dependencies and follows its output itself.
Each step's Task names its upstream Tasks as `context`, and CrewAI hands their outputs over when the
step's crew runs.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from autointel.engines.context import RunContext
from autointel.engines.crewai_adapter.crew import crew_environment, supervise
from autointel.engines.crewai_adapter.crew_layout import ROLES
from autointel.engines.plan import Plan, Step, fingerprint
from autointel.engines.steps import release_followers
from autointel.llm.profiles import ProviderModel, load_profile


def describe_flow(plan: Plan) -> dict[str, Any]:
    """The flow's structure: one method per step, triggered by the `and` of its dependencies."""
    methods = [
        {"name": s.name, "agent": ROLES[s.phase], "trigger": _trigger_kind(s), "context": list(s.deps)}
        | ({"streams": list(s.streams)} if s.streams else {})
        for s in plan.steps
    ]
    return {"tasks": methods, "fingerprint": fingerprint(methods)}


def _trigger_kind(step: Step) -> str:
    return "start" if not step.deps else ("listen" if len(step.deps) == 1 else "and")


def schedule_flow(plan: Plan, ctx: RunContext) -> dict[str, object]:
    crew_environment(ctx)
    from crewai import Process, Task
    from crewai.flow.flow import Flow, and_, listen, start

    from autointel.engines.crewai_adapter.crew_build import EventLog, StepCrew, make_agent, make_llm, make_task
    from autointel.engines.crewai_adapter.listener_index import IndexedListeners

    logging.getLogger("crewai.llms.base_llm").setLevel(logging.ERROR)
    info = describe_flow(plan)
    provider = ProviderModel(load_profile(ctx.settings.llm_profile), t0=ctx.recorder.t0, seed=ctx.settings.llm_seed)
    llm = make_llm(ctx.settings, provider)
    tasks: dict[str, Task] = {}
    crews: dict[str, StepCrew] = {}
    for step in plan.steps:
        agent = make_agent(step, ctx, llm)
        tasks[step.name] = make_task(step, agent, [tasks[d] for d in step.deps])
        crews[step.name] = StepCrew(agents=[agent], tasks=[tasks[step.name]], process=Process.sequential,
                                verbose=False, memory=False)

    def method_for(step: Step) -> Callable[..., str]:
        def run(self: Any, *upstream: Any) -> str:
            try:
                if ctx.cancelled.is_set():  # interrupted: no new LLM call, no new work
                    ctx.recorder.skipped(step.name, step.phase)
                    return f"SKIPPED: {step.name} (interrupted)"
                return str(getattr(crews[step.name].kickoff(), "raw", ""))
            except Exception as exc:  # recorded; dependents see a failed step and skip themselves
                ctx.record_error(step.phase, exc)
                return f"FAILED: {step.name}: {type(exc).__name__}"
            finally:  # however the step ended, the steps that stream it stop waiting
                release_followers(ctx, step)

        run.__name__ = step.name
        if not step.deps:
            return start()(run)
        trigger = step.deps[0] if len(step.deps) == 1 else and_(*step.deps)
        return listen(trigger)(run)

    # `_skip_auto_memory`: a Flow otherwise builds a LanceDB-backed memory it never uses (seconds of import).
    namespace: dict[str, Any] = {s.name: method_for(s) for s in plan.steps} | {"_skip_auto_memory": True}
    flow = type("AutointelFlow", (IndexedListeners, Flow), namespace)(suppress_flow_events=True)
    events = EventLog(ctx.recorder.t0, tasks)
    width = len(plan.steps) + 2  # a thread per step and the flow's own: no ready step waits for a thread

    def kickoff() -> None:
        loop = asyncio.new_event_loop()
        # The flow runs sync methods with asyncio.to_thread. Sized by the widest fan-out (+2, 7 threads), the
        # pool made a fourth fact-check shard wait 0.45 s for a thread while seven steps waited on the LLM.
        loop.set_default_executor(ThreadPoolExecutor(max_workers=width, thread_name_prefix="autointel-flow"))
        try:
            loop.run_until_complete(flow.kickoff_async())
        finally:
            loop.run_until_complete(loop.shutdown_default_executor())
            loop.close()

    return supervise(plan, ctx, info, events, provider, kickoff, "flow")
