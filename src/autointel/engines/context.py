"""The per-run context: settings, resources, the span recorder and the typed board of intermediate values.

Each run gets a fresh context; steps (and CrewAI tools) read their inputs from it and write their
outputs to it. Nothing about a run lives in a module global.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from autointel.engines.feed import ClaimsFeed, Feed, SegmentFeed
from autointel.engines.resources import Resources
from autointel.errors import first_line
from autointel.measurement.spans import SpanRecorder
from autointel.model import (
    CheckedClaim,
    Claim,
    Fallacy,
    GraphWrite,
    Media,
    MemoryWrite,
    Perspectives,
    RunError,
    Sentiment,
    Theme,
    Transcript,
    Verification,
)
from autointel.phases.text import Sentence
from autointel.phases.verification import ClaimSpotter
from autointel.phases.writing import Writer
from autointel.settings import Settings


@dataclass
class Board:
    """Slots written once each by the step that owns them (fact-check shards write their own keys)."""

    media: Media | None = None
    transcript: Transcript | None = None
    sentences: tuple[Sentence, ...] = ()
    summary: str | None = None
    themes: tuple[Theme, ...] | None = None
    sentiment: Sentiment | None = None
    entities: tuple[str, ...] = ()
    fallacies: tuple[Fallacy, ...] | None = None
    perspectives: Perspectives | None = None
    analysis_done: bool = False
    claims: tuple[Claim, ...] | None = None
    # Quantities per sentence, cached: filled while transcribing by the streaming consumer or a streamed claim
    # extraction, and read by extraction, so a sentence is spotted once however many consumers see it.
    claim_spotter: ClaimSpotter = field(default_factory=ClaimSpotter)
    checked: dict[int, tuple[CheckedClaim, ...]] = field(default_factory=dict)  # claim index -> result
    verification: Verification | None = None
    deception_score: float | None = None
    memory_write: MemoryWrite | None = None
    graph_write: GraphWrite | None = None
    briefing: str | None = None


@dataclass
class RunContext:
    source: str
    settings: Settings
    resources: Resources
    recorder: SpanRecorder = field(default_factory=SpanRecorder)
    board: Board = field(default_factory=Board)
    # The feeds of the steps others may stream (plan.STREAMABLE), each closed by the engine (steps.run_step).
    transcript_feed: SegmentFeed = field(default_factory=SegmentFeed)
    claims_feed: ClaimsFeed = field(default_factory=ClaimsFeed)
    writer: Writer | None = None  # set when an LLM writes parts of the briefing (Resources.chat)
    errors: list[RunError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Set when the user interrupts: steps not yet started skip themselves, so the engine winds down quickly.
    cancelled: threading.Event = field(default_factory=threading.Event)

    def feed_of(self, step_kind: str) -> Feed[Any] | None:
        """The feed a step of this kind hands on to the steps that stream it (None: nothing streams it)."""
        feeds: dict[str, Feed[Any]] = {"transcribe": self.transcript_feed, "claim_extraction": self.claims_feed}
        return feeds.get(step_kind)

    def record_error(self, phase: str, exc: BaseException) -> None:
        message = first_line(exc)
        with self.lock:
            self.errors.append(RunError(phase=phase, type=type(exc).__name__, message=message))

    def warn(self, message: str) -> None:
        with self.lock:
            self.warnings.append(message)
