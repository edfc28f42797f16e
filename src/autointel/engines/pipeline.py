"""The `pipeline` engine: plain asyncio over the step graph, each step in a worker thread.

Every step starts as soon as all of its dependencies finished, so the flags (which only change the
plan's edges) decide what overlaps. A failed step marks its transitive dependents as skipped.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from autointel.engines.context import RunContext
from autointel.engines.plan import Plan, Step
from autointel.engines.steps import run_step


def schedule_pipeline(plan: Plan, ctx: RunContext) -> None:
    asyncio.run(_run_graph(plan, ctx))


async def _run_graph(plan: Plan, ctx: RunContext) -> None:
    loop = asyncio.get_running_loop()
    tasks: dict[str, asyncio.Task[bool]] = {}
    # A thread per step: a ready step never waits for a thread (only the plan's edges decide what overlaps).
    with ThreadPoolExecutor(max_workers=len(plan.steps), thread_name_prefix="autointel-step") as pool:

        async def run(step: Step) -> bool:
            results = await asyncio.gather(*(tasks[d] for d in step.deps))
            if not all(results):
                ctx.recorder.skipped(step.name, step.phase)
                return False
            try:
                await loop.run_in_executor(pool, run_step, ctx, step)
            except Exception:
                return False  # recorded on the context by run_step
            return True

        for step in plan.steps:  # topological order: deps' tasks exist already
            tasks[step.name] = asyncio.create_task(run(step), name=step.name)
        await asyncio.gather(*tasks.values())
