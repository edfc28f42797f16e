"""What every engine shares: build the plan and context, schedule, then assemble one `RunResult`."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from autointel.engines.context import RunContext
from autointel.engines.plan import Plan, build_plan
from autointel.engines.progress import run_context
from autointel.engines.resources import GRAPH_COMMIT_WAIT_S, Resources
from autointel.llm.perf import ServerTiming
from autointel.measurement.spans import phases_from_steps
from autointel.model import Integration, RunResult, Status, Writing
from autointel.model.progress import ProgressSink
from autointel.phases import PHASES
from autointel.phases.transcript_quality import mostly_untrusted
from autointel.phases.writing import Writer
from autointel.settings import Settings
from autointel.urls import public_url

Scheduler = Callable[[Plan, RunContext], dict[str, object] | None]

# Without these the run has nothing to report: their failure makes the whole run `failed`.
ESSENTIAL_STEPS = ("acquire", "transcribe")


def execute(
    source: str,
    settings: Settings,
    resources: Resources | None,
    scheduler: Scheduler,
    progress: ProgressSink | None = None,
) -> RunResult:
    """Run `source` through the plan for `settings` with the given scheduler (pipeline or crew); `progress` hears
    each step start and end and the decoder's media seconds as they happen."""
    own = resources is None
    res = resources if resources is not None else Resources(settings)
    if not res.compatible_with(settings):
        raise ValueError("the shared Resources were built for another data dir, model or Qdrant URL")
    plan = build_plan(settings.depth, settings.flags, settings.fact_check_workers)
    ctx = run_context(source, settings, res, progress)
    timings: dict[int, list[ServerTiming]] = {}
    try:
        chat = res.chat()
        if chat is not None:
            ctx.writer = Writer(chat, ctx.recorder.now)
        crew_info = scheduler(plan, ctx)
    finally:
        timings = res.server_timings()  # read before close stops the servers
        if own:
            _close(res, ctx)
    result = assemble(plan, ctx, crew_info, timings)
    if settings.llm_record is not None and settings.llm == "local" and result.writing is not None:  # its own calls
        from autointel.llm.profiles import record_profile

        record_profile(settings.llm_record, result.writing.model, [c.seconds for c in result.writing.calls if c.ok])
    return result


def _close(resources: Resources, ctx: RunContext) -> None:
    """Close the stores; a failure to save them (disk full, a read-only data dir) marks the result partial
    instead of losing it."""
    try:
        resources.close()
    except Exception as exc:  # any store failure is reported in the result
        ctx.record_error("integration", exc)


def assemble(plan: Plan, ctx: RunContext, crew_info: dict[str, object] | None,
             timings: Mapping[int, Sequence[ServerTiming]] | None = None) -> RunResult:
    from autointel.engines.steps import analysis_of

    settle_graph_write(ctx)  # a queued graph commit lands (or is reported) before the verdict
    steps = ctx.recorder.steps()
    status_by_step = {s.name: s.status for s in steps}
    ran_ok = [name for name in plan.names if status_by_step.get(name) == "ok"]
    if any(status_by_step.get(name) != "ok" for name in ESSENTIAL_STEPS if name in plan.names):
        status = Status.FAILED
    elif len(ran_ok) < len(plan.names) or ctx.errors or _untrusted(ctx):
        status = Status.PARTIAL
    else:
        status = Status.OK
    writing = _writing(ctx, timings)
    _warn_fallbacks(ctx, writing)
    b = ctx.board
    analysis = analysis_of(ctx) if b.analysis_done else None
    integration = None
    if b.memory_write is not None or b.graph_write is not None:
        integration = Integration(memory=b.memory_write, graph=b.graph_write)
    return RunResult(
        status=status,
        source=public_url(ctx.source),
        depth=ctx.settings.depth.value,
        engine=ctx.settings.engine,
        flags=ctx.settings.flags.record(),
        media=b.media,
        transcript=b.transcript,
        analysis=analysis,
        verification=b.verification,
        deception_score=b.deception_score,
        integration=integration,
        briefing=b.briefing,
        phases=phases_from_steps(steps, PHASES),
        steps=steps,
        errors=tuple(ctx.errors),
        warnings=tuple(ctx.warnings),
        plan=plan.describe(),
        crew=crew_info,
        writing=writing,
    )


def _writing(ctx: RunContext, timings: Mapping[int, Sequence[ServerTiming]] | None) -> Writing | None:
    """What the LLM wrote, its calls timed by the servers' own logs and priced by the user's table."""
    if ctx.writer is None:
        return None
    from autointel.llm.prices import pricer

    price = pricer(ctx.resources.prices(), ctx.settings.llm)  # checked at the edge (preflight), read once
    return ctx.writer.writing(price, timings)


def _warn_fallbacks(ctx: RunContext, writing: Writing | None) -> None:
    """Each LLM part that fell back is a warning: the briefing holds the local result there instead."""
    for part in writing.parts if writing is not None else ():
        if part.reason:
            ctx.warn(f"LLM {part.name}: {part.reason}")


def _untrusted(ctx: RunContext) -> bool:
    """Most of the transcript is under quality warnings: what was built on the rest is partial."""
    transcript = ctx.board.transcript
    return transcript is not None and mostly_untrusted(transcript.segments, transcript.warnings)


def settle_graph_write(ctx: RunContext, timeout_s: float = GRAPH_COMMIT_WAIT_S) -> None:
    """Before a run's result is assembled: wait (bounded) for the graph save its graph_build step queued,
    then record when it became durable, or keep durable False and record the error: nothing fails silently."""
    write = ctx.board.graph_write
    if write is None or write.durable:
        return
    ticket = ctx.resources.last_graph_commit()
    if ticket is None:
        ctx.record_error("integration", RuntimeError("graph_build queued no graph save"))
    elif not ticket.wait(timeout_s):
        ctx.record_error("integration", TimeoutError(f"graph save not durable after {timeout_s:g} s"))
    elif ticket.error is not None or ticket.durable_at is None:
        ctx.record_error("integration", ticket.error or RuntimeError("graph save failed"))
    else:
        ctx.board.graph_write = replace(write, durable=True, durable_at_s=ticket.durable_at - ctx.recorder.t0)
