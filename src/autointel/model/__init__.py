"""Model layer: plain typed values shared by every other layer."""

from autointel.model.result import (
    Analysis,
    CheckedClaim,
    Claim,
    Evidence,
    Fallacy,
    FlagsRecord,
    GraphWrite,
    Integration,
    Media,
    MemoryWrite,
    Perspectives,
    PhaseRecord,
    RunError,
    RunResult,
    Segment,
    Sentiment,
    Status,
    StepRecord,
    Theme,
    Transcript,
    TranscriptWarning,
    Verdict,
    Verification,
)
from autointel.model.serialize import to_jsonable

__all__ = [
    "Analysis", "CheckedClaim", "Claim", "Evidence", "Fallacy", "FlagsRecord", "GraphWrite",
    "Integration", "Media", "MemoryWrite", "Perspectives", "PhaseRecord", "RunError", "RunResult",
    "Segment", "Sentiment", "Status", "StepRecord", "Theme", "Transcript", "TranscriptWarning", "Verdict",
    "Verification",
    "to_jsonable",
]
