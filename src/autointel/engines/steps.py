"""Step functions: adapt the plain phase functions to a run context (read inputs, write outputs).

Both engines call exactly these functions, the pipeline directly and the crew through its tools,
so the two produce the same work by construction.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

from autointel.engines.context import RunContext
from autointel.engines.plan import Step
from autointel.errors import PhaseError
from autointel.memory import store as mem
from autointel.model import Analysis, CheckedClaim, Evidence, Segment, Verification
from autointel.phases import analysis as an
from autointel.phases import verification as ver
from autointel.phases.acquisition import AcquisitionLimits, acquire
from autointel.phases.briefing import render_briefing
from autointel.phases.insights import key_insights
from autointel.phases.integration import build_graph
from autointel.phases.text import Sentence, split_sentences
from autointel.phases.transcript_quality import warning_line
from autointel.phases.transcription import DecodeBounds
from autointel.phases.writing import read_verdict, review_fallacies, write_briefing, write_summary
from autointel.phases.writing.briefing import facts

StepFunction = Callable[[RunContext, Step], str]


T = TypeVar("T")


def _need(value: T | None, what: str) -> T:
    if value is None:
        raise PhaseError(f"{what} is missing (an upstream step did not produce it)")
    return value


def step_acquire(ctx: RunContext, step: Step) -> str:
    s = ctx.settings
    limits = AcquisitionLimits(s.max_bytes, s.max_duration_s, s.allow_private_network)
    media = acquire(ctx.source, limits, ctx.resources.downloads_dir)
    ctx.board.media = media
    return f"acquired {media.title} ({media.duration_s:.1f} s, {media.size_bytes} bytes, sha256 {media.sha256[:12]})"


def step_transcribe(ctx: RunContext, step: Step) -> str:
    media = _need(ctx.board.media, "media")
    stream = None
    if ctx.settings.flags.streaming_transcription:
        from autointel.engines.streaming import TranscriptStream

        stream = TranscriptStream(ctx)
    feed = ctx.transcript_feed

    def on_segment(segment: Segment) -> None:
        feed.put(segment)
        if stream is not None:
            stream.on_segment(segment)

    try:
        bounds = DecodeBounds(ctx.settings.max_duration_s, ctx.cancelled.is_set)
        transcript = ctx.resources.transcriber().transcribe(media.path, beam_size=ctx.settings.beam_size,
                                                            on_segment=on_segment, bounds=bounds)
    finally:
        if stream is not None:
            stream.finish()
    if transcript.duration_s > 0:  # the length the audio really has, not the container header's
        ctx.board.media = dataclasses.replace(media, duration_s=transcript.duration_s)
    ctx.board.transcript = transcript
    ctx.board.sentences = split_sentences(transcript)
    if not transcript.segments:
        ctx.warn("no speech found: the transcript is empty")
    for warning in transcript.warnings:  # flagged segments already feed no sentence (phases.text)
        ctx.warn(warning_line(warning))
    return f"transcribed {len(transcript.segments)} segments, quality {transcript.quality:.2f}"


def step_text_analysis(ctx: RunContext, step: Step) -> str:
    _embed_while_decoding(ctx, step)
    sentences, embedder = ctx.board.sentences, ctx.resources.embedder()
    ctx.board.summary = an.summarize(sentences, embedder)
    ctx.board.themes = an.extract_themes(sentences, embedder)
    ctx.board.sentiment = an.analyze_sentiment(sentences)
    ctx.board.entities = an.extract_entities(sentences)
    writer = ctx.writer
    if writer is not None:
        written = writer.attempt("summary", step.name, lambda ask: write_summary(ask, [s.text for s in sentences]))
        if written is not None:
            writer.summary, writer.insights = written
    return f"summary of {len(ctx.board.summary)} chars, {len(ctx.board.themes)} themes"


def step_fallacy_detection(ctx: RunContext, step: Step) -> str:
    _embed_while_decoding(ctx, step)
    detector = an.FallacyDetector(ctx.resources.embedder(), ctx.resources.fallacy_exemplars())
    found = ctx.board.fallacies = detector.detect(ctx.board.sentences)
    writer = ctx.writer
    if writer is not None:
        writer.review = writer.attempt("fallacy_review", step.name,
                                       lambda ask: review_fallacies(ask, found, ctx.board.sentences))
    return f"{len(found)} fallacies: " + ", ".join(f.type for f in found)


def step_perspective_synthesis(ctx: RunContext, step: Step) -> str:
    _embed_while_decoding(ctx, step)
    ctx.board.perspectives = an.synthesize_perspectives(
        ctx.board.sentences, ctx.resources.embedder(), ctx.resources.perspective_prototypes()
    )
    return f"present: {', '.join(ctx.board.perspectives.present)}"


def analysis_of(ctx: RunContext) -> Analysis:
    b = ctx.board
    return Analysis(
        summary=_need(b.summary, "summary"),
        themes=_need(b.themes, "themes"),
        sentiment=_need(b.sentiment, "sentiment"),
        fallacies=_need(b.fallacies, "fallacies"),
        perspectives=_need(b.perspectives, "perspectives"),
    )


def step_analysis_integration(ctx: RunContext, step: Step) -> str:
    analysis = analysis_of(ctx)
    ctx.board.analysis_done = True
    return f"analysis complete: sentiment {analysis.sentiment.label}, {len(analysis.fallacies)} fallacies"


def step_index_evidence(ctx: RunContext, step: Step) -> str:
    directory = ctx.settings.evidence_dir
    store = ctx.resources.vectors()
    if directory is None:
        return "no evidence directory given; using evidence already in memory"
    batched = ctx.settings.flags.batched_vector_writes
    write = mem.index_evidence(store, ctx.resources.embedder(), directory, batched=batched)
    return f"evidence: {write.points_written} new passages, {write.points_total} in memory"


def step_claim_extraction(ctx: RunContext, step: Step) -> str:
    """Streaming the transcription (`step.streams`), it spots each sentence once the decoder has finished it,
    so only the extraction over the whole talk waits for the transcript."""
    spotter = ctx.board.claim_spotter

    def spot(fresh: tuple[Sentence, ...]) -> None:
        for sentence in fresh:
            spotter.spot(sentence.text)

    _while_decoding(ctx, step, spot)
    embedder = ctx.resources.embedder()
    claims = ver.extract_claims(ctx.board.sentences, ctx.settings.depth.exhaustive, embedder, spotter)
    ctx.board.claims = claims
    return f"{len(claims)} check-worthy claims"


def _while_decoding(ctx: RunContext, step: Step, each: Callable[[tuple[Sentence, ...]], object]) -> None:
    """When the step streams the transcription, hand `each` the sentences the decoder finishes, as it finishes
    them; returns when the transcript's feed closes (at once when the step does not stream it)."""
    if "transcribe" in step.streams:
        for fresh in ctx.transcript_feed.follow_sentences(ctx.cancelled):
            each(fresh)


def _embed_while_decoding(ctx: RunContext, step: Step) -> None:
    """Embed each finished sentence into the run's cache while the decoder runs (every analyser and every
    claim's evidence search reads these vectors; followers that meet a sentence another is embedding wait
    for it, so each is embedded once)."""
    _while_decoding(ctx, step, lambda fresh: ctx.resources.embedder().embed([s.text for s in fresh]))


def step_fact_check(ctx: RunContext, step: Step) -> str:
    """Streaming (the widest DAG), a shard readies its evidence queries while the decoder runs and checks
    its claims the moment extraction ends: its agent's turn overlapped the transcription."""
    _embed_while_decoding(ctx, step)
    if "claim_extraction" in step.streams:
        ctx.claims_feed.wait(ctx.cancelled)
    claims = _need(ctx.board.claims, "claims")
    media = _need(ctx.board.media, "media")
    store, embedder = ctx.resources.vectors(), ctx.resources.embedder()

    def search(text: str, limit: int) -> Sequence[Evidence]:
        return mem.search_evidence(store, embedder, text, limit, include_transcripts_except=media.sha256)

    mine = [i for i in range(len(claims)) if i % step.shards == step.shard]
    aligner = mem.IndexedSentences(store, embedder)  # the corpus's sentence vectors, stored at indexing
    for index in mine:
        checked = ver.check_claim(claims[index], search, aligner, ctx.resources.nli(), ctx.resources.fact_model())
        with ctx.lock:
            ctx.board.checked[index] = (checked,)
        _second_reading(ctx, step, index, checked)
    return f"checked {len(mine)} claims"


def _second_reading(ctx: RunContext, step: Step, index: int, checked: CheckedClaim) -> None:
    """The LLM's verdict on a claim with evidence, recorded beside the checker's (which keeps deciding)."""
    writer = ctx.writer
    if writer is None or not checked.evidence:
        return
    reading = writer.attempt("verdicts", step.name, lambda ask: read_verdict(ask, index, checked))
    if reading is not None:
        writer.add_verdict(reading)


def step_verification_integration(ctx: RunContext, step: Step) -> str:
    claims = _need(ctx.board.claims, "claims")
    missing = [i for i in range(len(claims)) if i not in ctx.board.checked]
    if missing:
        raise PhaseError(f"claims {missing} were never checked")
    checked = tuple(ctx.board.checked[i][0] for i in range(len(claims)))
    ctx.board.verification = Verification(claims=checked, trust_score=ver.trust_score(checked))
    fallacies = ctx.board.fallacies or ()
    ctx.board.deception_score = ver.deception_score(checked, fallacies, len(ctx.board.sentences))
    return f"trust score {ctx.board.verification.trust_score:.0f}, deception {ctx.board.deception_score:.2f}"


def step_memory_store(ctx: RunContext, step: Step) -> str:
    from autointel.memory.chunking import chunk_segments

    media, transcript = _need(ctx.board.media, "media"), _need(ctx.board.transcript, "transcript")
    write = mem.store_transcript(
        ctx.resources.vectors(),
        ctx.resources.embedder(),
        media,
        chunk_segments(transcript.segments),
        batched=ctx.settings.flags.batched_vector_writes,
    )
    ctx.board.memory_write = write
    return f"memory: {write.points_written} new chunks, {write.points_total} in memory"


def step_graph_build(ctx: RunContext, step: Step) -> str:
    """With background_graph_commit the save is only queued: runner.settle_graph_write resolves
    `durable` before the result is assembled, so the briefing can overlap the disk write."""
    from dataclasses import replace

    background = ctx.settings.flags.background_graph_commit
    media, analysis = _need(ctx.board.media, "media"), analysis_of(ctx)
    verification, entities = ctx.board.verification, ctx.board.entities
    write = ctx.resources.update_graph(
        lambda graph: build_graph(graph, media, analysis, verification, entities), background
    )
    if background:
        ctx.board.graph_write = replace(write, durable=False, durable_at_s=None)
        return f"graph: {write.nodes_total} nodes, {write.edges_total} edges (save queued)"
    ctx.board.graph_write = replace(write, durable_at_s=ctx.recorder.now())
    return f"graph: {write.nodes_total} nodes, {write.edges_total} edges"


def step_briefing(ctx: RunContext, step: Step) -> str:
    b = ctx.board
    analysis = analysis_of(ctx)
    claims = b.verification.claims if b.verification is not None else ()
    insights = key_insights(b.sentences, ctx.resources.embedder(), analysis.fallacies, claims)
    media = _need(b.media, "media")
    writer = ctx.writer
    if writer is not None:
        known = facts(media.title, analysis, b.verification)
        writer.briefing = writer.attempt("briefing", step.name, lambda ask: write_briefing(ask, known))
    b.briefing = render_briefing(
        media, _need(b.transcript, "transcript"), analysis, b.verification, b.deception_score,
        insights, writer.writing() if writer is not None else None,
    )
    return b.briefing


STEP_FUNCTIONS: dict[str, StepFunction] = {
    "acquire": step_acquire,
    "transcribe": step_transcribe,
    "text_analysis": step_text_analysis,
    "fallacy_detection": step_fallacy_detection,
    "perspective_synthesis": step_perspective_synthesis,
    "analysis_integration": step_analysis_integration,
    "index_evidence": step_index_evidence,
    "claim_extraction": step_claim_extraction,
    "fact_check": step_fact_check,
    "verification_integration": step_verification_integration,
    "memory_store": step_memory_store,
    "graph_build": step_graph_build,
    "briefing": step_briefing,
}


def run_step(ctx: RunContext, step: Step) -> str:
    """Run one step under a span; errors are recorded on the context and re-raised to the engine."""
    succeeded = False
    try:
        with ctx.recorder.step(step.name, step.phase):
            try:
                timeout = ctx.settings.timeout_for(step.kind, step.phase)
                output = _call_step(ctx, step) if timeout is None else _call_with_timeout(ctx, step, timeout)
            except Exception as exc:
                ctx.record_error(step.phase, exc)
                raise
            succeeded = True
            return output
    finally:
        release_followers(ctx, step, succeeded)


def release_followers(ctx: RunContext, step: Step, succeeded: bool = False) -> None:
    """Close the step's feed, so the steps that stream it stop waiting, however it ended. The engines that
    start followers early (flow, pipeline) call it again once a step is over, for the ends `run_step` never
    sees: skipped, or an agent that failed before calling its tool (the first close decides)."""
    feed = ctx.feed_of(step.kind)
    if feed is not None:
        feed.close(ok=succeeded)


def _call_step(ctx: RunContext, step: Step) -> str:
    for fault in ctx.settings.faults:
        if fault.applies_to(step.kind, step.phase):
            fault.trigger()
    return STEP_FUNCTIONS[step.kind](ctx, step)


def _call_with_timeout(ctx: RunContext, step: Step, seconds: float) -> str:
    """Give up on a step after `seconds`: its dependents are skipped and the run ends partial or failed.

    Python cannot stop a thread, so an abandoned step finishes in the background; it cannot turn the
    run back into a success, because its status is already recorded as failed.
    """
    outcome: dict[str, object] = {}

    def body() -> None:
        try:
            outcome["value"] = _call_step(ctx, step)
        except BaseException as exc:
            outcome["error"] = exc

    worker = threading.Thread(target=body, name=f"autointel-{step.name}", daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise TimeoutError(f"{step.name} took longer than its {seconds:g} s timeout")
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return str(outcome["value"])
