"""What every score in a report means, and count phrases that agree with their number.

The briefing and the CLI's text output both explain the same scores; keeping one definition of each
explanation here means the two can never drift apart from each other or from the formulas they describe.
"""

from __future__ import annotations

from collections.abc import Sequence

from autointel.model import TranscriptWarning

QUALITY = (
    "how sure the speech recogniser was of its words: its mean token probability, discounted by its "
    "no-speech probability, averaged over segments weighted by their duration (0 to 1)"
)
TRUST = (
    "how well the checked claims hold up against the evidence: a confidence-weighted mean of the verdicts "
    "(supported 1, contradicted 0, unverifiable 0.45 at a low weight), pulled toward 50 by one neutral "
    "pseudo-claim so a single claim cannot reach an extreme (0 to 100; 50 = no evidence either way)"
)
DECEPTION = (
    "how manipulative the talk looks: the noisy-or of its fallacy density (fallacy confidence per sentence) "
    "and the share of checked claims the evidence contradicts (0 = no sign, 1 = strong signs)"
)


def plural(count: int, singular: str, many: str | None = None) -> str:
    """'1 claim', '2 claims', '0 claims' ('many' for irregular plurals: 'fallacy', 'fallacies')."""
    return f"{count} {singular if count == 1 else (many or singular + 's')}"


def verb(count: int, one: str = "is", many: str = "are") -> str:
    """The verb form that agrees with `count`: '1 is', '2 are'."""
    return one if count == 1 else many


def clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes:02d}:{secs:02d}"


def quality_line(quality: float) -> str:
    return f"Transcription quality {quality:.2f}: {QUALITY}."


def trust_line(trust_score: float) -> str:
    return f"Trust score {trust_score:.0f}/100: {TRUST}."


def deception_line(deception_score: float) -> str:
    return f"Deception score {deception_score:.2f}: {DECEPTION}."


def warning_lines(warnings: Sequence[TranscriptWarning]) -> list[str]:
    """One line per transcript warning: kind, mm:ss time range, detail (nothing when there are none)."""
    return [f"{w.kind.replace('_', ' ')} [{clock(w.start_s)}-{clock(w.end_s)}]: {w.detail}" for w in warnings]
