"""The `pipeline` engine: plain asyncio over the step graph, each step in a worker thread, no CrewAI.

Every step starts as soon as all of its dependencies finished, so the flags (which only change the
plan's edges) decide what overlaps. A failed step marks its transitive dependents as skipped.

Each step first waits one turn of the run's provider profile, as the offline LLM makes each CrewAI task
wait one turn: the engines meet the same LLM waiting (none with the default `instant` profile), so what
separates them is the framework's own cost. The pipeline never calls a real provider: with one configured
it waits no turns.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from autointel.engines.context import RunContext
from autointel.engines.interrupt import wind_down
from autointel.engines.plan import Plan, Step
from autointel.engines.steps import release_followers, run_step
from autointel.llm.profiles import BUILTIN_PROFILES, ProviderModel, approximate_tokens, load_profile


def schedule_pipeline(plan: Plan, ctx: RunContext) -> dict[str, object]:
    """Run the plan; returns the per-step timings (turn and step) and the profile turns taken."""
    offline = ctx.settings.llm == "offline"
    profile = load_profile(ctx.settings.llm_profile) if offline else BUILTIN_PROFILES["instant"]
    provider = ProviderModel(profile, t0=ctx.recorder.t0, seed=ctx.settings.llm_seed)
    timings: dict[str, tuple[float, float]] = {}
    _supervised(lambda: asyncio.run(_run_graph(plan, ctx, provider, timings)), ctx)
    status = {s.name: s.status for s in ctx.recorder.steps()}
    return {
        "task_timings": [{"name": name, "start_s": start, "end_s": end, "status": status.get(name, "unfinished")}
                         for name, (start, end) in sorted(timings.items(), key=lambda kv: kv[1])],
        "llm": {"backend": "profile turns" if offline else "none (pipeline)", "profile": profile.name,
                "seed": ctx.settings.llm_seed, "calls": [vars(c) for c in provider.calls]},
    }


async def _run_graph(plan: Plan, ctx: RunContext, provider: ProviderModel,
                     timings: dict[str, tuple[float, float]]) -> None:
    loop = asyncio.get_running_loop()
    tasks: dict[str, asyncio.Task[bool]] = {}
    outputs: dict[str, str] = {}

    def turn_then_step(step: Step) -> None:
        """One provider turn (prompt: the step and its upstream outputs, like CrewAI's context), then the step."""
        start = ctx.recorder.now()
        try:
            prompt = approximate_tokens([step.name, *(outputs.get(d, "") for d in step.deps)])
            _provider_turn(ctx, step, provider, prompt)
            outputs[step.name] = run_step(ctx, step)
        finally:
            timings[step.name] = (start, ctx.recorder.now())

    # A thread per step: a ready step never waits for a thread (only the plan's edges decide what overlaps).
    with ThreadPoolExecutor(max_workers=len(plan.steps), thread_name_prefix="autointel-step") as pool:

        async def run(step: Step) -> bool:
            try:
                results = await asyncio.gather(*(tasks[d] for d in step.deps))
                if not all(results) or ctx.cancelled.is_set():
                    ctx.recorder.skipped(step.name, step.phase)
                    return False
                await loop.run_in_executor(pool, turn_then_step, step)
            except Exception:
                return False  # recorded on the context by run_step
            finally:  # however the step ended, the steps that stream it stop waiting
                release_followers(ctx, step)
            return True

        for step in plan.steps:  # topological order: deps' tasks exist already
            tasks[step.name] = asyncio.create_task(run(step), name=step.name)
        await asyncio.gather(*tasks.values())


def _provider_turn(ctx: RunContext, step: Step, provider: ProviderModel, prompt_tokens: int) -> None:
    """The step's provider turn; a failing turn fails the step as a failing tool would, listed in the result."""
    try:
        with provider.call(step.name, prompt_tokens):
            pass
    except Exception as exc:
        ctx.record_error(step.phase, exc)
        ctx.recorder.failed(step.name, step.phase)
        raise


def _supervised(body: Callable[[], None], ctx: RunContext) -> None:
    """Run the event loop in a worker, so that Ctrl-C reaches this thread as it does in the CrewAI engines and
    is answered the same way: the running steps are stopped and waited for (`interrupt.wind_down`)."""
    finished = threading.Event()
    failure: list[BaseException] = []

    def run() -> None:
        try:
            body()
        except BaseException as exc:  # re-raised below, on the caller's thread
            failure.append(exc)
        finally:
            finished.set()

    threading.Thread(target=run, name="autointel-pipeline", daemon=True).start()
    try:
        finished.wait()
    except KeyboardInterrupt:
        wind_down(ctx, finished)
        raise
    if failure:
        raise failure[0]
