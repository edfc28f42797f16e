"""The result schema: every value a run produces, as plain frozen dataclasses.

This module is the single definition of the JSON result; `to_jsonable` turns any of
these values into JSON-ready data, and the README documents the same fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Status(StrEnum):
    OK = "ok"
    PARTIAL = "partial"
    FAILED = "failed"


class Verdict(StrEnum):
    SUPPORTED = "supported"
    CONTRADICTED = "contradicted"
    UNVERIFIABLE = "unverifiable"


@dataclass(frozen=True)
class Media:
    source: str
    title: str
    platform: str
    duration_s: float
    size_bytes: int
    sha256: str
    path: str
    has_audio: bool = True


@dataclass(frozen=True)
class Segment:
    start_s: float
    end_s: float
    text: str
    # Transcript-quality warning kinds raised on this segment (see TranscriptWarning); a flagged segment is
    # kept out of claims, themes and the summary.
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class TranscriptWarning:
    """A stretch of the transcript that should not be trusted, and why."""

    kind: str  # repetition_loop | untranscribable_speech | overlapping_speakers | low_confidence
    start_s: float
    end_s: float
    detail: str


@dataclass(frozen=True)
class Transcript:
    text: str
    segments: tuple[Segment, ...]
    language: str
    quality: float
    warnings: tuple[TranscriptWarning, ...] = ()
    duration_s: float = 0.0  # seconds of audio the decoder read (the media's true length, not its header's)


@dataclass(frozen=True)
class Theme:
    label: str
    keywords: tuple[str, ...]
    weight: float


@dataclass(frozen=True)
class Sentiment:
    label: str  # positive | negative | neutral
    score: float  # -1 .. 1
    positive: float  # share of sentences
    negative: float


@dataclass(frozen=True)
class Fallacy:
    type: str
    quote: str
    start_s: float
    confidence: float
    explanation: str


@dataclass(frozen=True)
class Perspectives:
    present: tuple[str, ...]
    missing: tuple[str, ...]


@dataclass(frozen=True)
class Analysis:
    summary: str
    themes: tuple[Theme, ...]
    sentiment: Sentiment
    fallacies: tuple[Fallacy, ...]
    perspectives: Perspectives


@dataclass(frozen=True)
class Claim:
    """A check-worthy statement spotted in the transcript, before any verdict."""

    text: str
    start_s: float
    kinds: tuple[str, ...]  # number | date | entity | comparison


@dataclass(frozen=True)
class Evidence:
    text: str
    source: str
    score: float


@dataclass(frozen=True)
class CheckedClaim:
    text: str
    start_s: float
    kinds: tuple[str, ...]
    verdict: Verdict
    confidence: float
    evidence: tuple[Evidence, ...]
    rationale: str


@dataclass(frozen=True)
class Verification:
    claims: tuple[CheckedClaim, ...]
    trust_score: float  # 0 .. 100


@dataclass(frozen=True)
class MemoryWrite:
    collection: str
    points_written: int
    points_total: int


@dataclass(frozen=True)
class GraphWrite:
    nodes_written: int
    edges_written: int
    nodes_total: int
    edges_total: int
    durable: bool
    # Seconds on the run's clock when the graph file was durable (None: not durable, or not known yet).
    durable_at_s: float | None = None


@dataclass(frozen=True)
class Integration:
    memory: MemoryWrite | None
    graph: GraphWrite | None


@dataclass(frozen=True)
class StepRecord:
    """One unit of scheduled work (a phase or a sub-step) as it really ran."""

    name: str
    phase: str
    start_s: float
    end_s: float
    wall_s: float
    cpu_s: float  # CPU time of the thread that ran the step
    process_cpu_s: float  # CPU time of the whole process during the step (includes native pools)
    thread: str
    status: str = "ok"  # ok | failed | skipped


@dataclass(frozen=True)
class PhaseRecord:
    name: str
    start_s: float
    end_s: float
    wall_s: float
    cpu_s: float
    status: str = "ok"


@dataclass(frozen=True)
class RunError:
    phase: str
    type: str
    message: str


@dataclass(frozen=True)
class FlagsRecord:
    parallel_memory_ops: bool
    parallel_analysis: bool
    parallel_fact_checking: bool
    batched_vector_writes: bool = False
    background_graph_commit: bool = False
    streaming_transcription: bool = False


# What an LLM wrote for a run, part by part, and what it cost (`RunResult.writing`). The local analysers' results
# stay in `analysis` and `verification`: the model's text sits beside them, never in their place.
PART_NAMES = ("summary", "fallacy_review", "verdicts", "briefing")
WRITTEN, FALLBACK = "written", "fallback"


@dataclass(frozen=True)
class LLMCall:
    """One request to the model."""

    part: str
    step: str
    start_s: float  # on the run's clock
    seconds: float
    prompt_tokens: int
    completion_tokens: int
    ok: bool
    error: str = ""
    queued_s: float = 0.0  # waiting for a free server slot, before `seconds` began
    slot: int = 0  # the local server process that answered, and its request number
    sequence: int = -1
    # Inside a local server, from its own log (None when unknown): prompt evaluation, generation, the whole request.
    prompt_s: float | None = None
    generate_s: float | None = None
    server_s: float | None = None


@dataclass(frozen=True)
class Usage:
    """Tokens and cost of a set of calls (cost is None when the model has no price in the price table)."""

    calls: int
    prompt_tokens: int
    completion_tokens: int
    seconds: float
    cost_usd: float | None = None


@dataclass(frozen=True)
class LLMPart:
    """One piece the model was asked to write, and whether its output was used or fell back to the local result."""

    name: str  # one of PART_NAMES
    step: str
    status: str  # written | fallback
    reason: str  # why it fell back ("" when written); for verdicts, how many fell back and the first reason
    usage: Usage


@dataclass(frozen=True)
class LLMVerdict:
    """The model's reading of one claim against its retrieved evidence, beside the checker's verdict."""

    claim_index: int  # into verification.claims
    verdict: Verdict
    quote: str  # copied from the evidence (checked); empty for unverifiable
    rationale: str
    agrees: bool  # the same verdict as the checker's


@dataclass(frozen=True)
class FallacyReview:
    """The model's review of the detector's candidates: indices into analysis.fallacies, and additions whose quotes
    were found verbatim in the transcript."""

    confirmed: tuple[int, ...]
    rejected: tuple[int, ...]
    added: tuple[Fallacy, ...]


@dataclass(frozen=True)
class Writing:
    model: str
    summary: str | None  # None: fell back to analysis.summary
    insights: tuple[str, ...]
    fallacy_review: FallacyReview | None
    verdicts: tuple[LLMVerdict, ...]
    briefing: str | None
    parts: tuple[LLMPart, ...]
    calls: tuple[LLMCall, ...]
    usage: Usage


@dataclass(frozen=True)
class RunResult:
    status: Status
    source: str
    depth: str
    engine: str
    flags: FlagsRecord
    media: Media | None = None
    transcript: Transcript | None = None
    analysis: Analysis | None = None
    verification: Verification | None = None
    deception_score: float | None = None
    integration: Integration | None = None
    briefing: str | None = None
    phases: tuple[PhaseRecord, ...] = ()
    steps: tuple[StepRecord, ...] = ()
    errors: tuple[RunError, ...] = ()
    warnings: tuple[str, ...] = ()
    plan: dict[str, object] | None = None
    crew: dict[str, object] | None = field(default=None)
    writing: Writing | None = None  # what an LLM wrote (None: no writing LLM configured)
