"""Key insights: the talk's sentences a reader should take away, never its fallacies or refuted claims.

The summary says what the talk is about; key insights are what a reader can rely on. So claims the
evidence supports come first, then the most central whole statements (TextRank, lightly diversified), and
a sentence the fallacy detector flagged, a claim the evidence contradicts or a question is never one of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from autointel.memory.embeddings import Embedder
from autointel.model import CheckedClaim, Fallacy, Verdict
from autointel.phases.analysis.common import normalise
from autointel.phases.analysis.summary import centrality, mmr
from autointel.phases.text import Sentence

MAX_INSIGHTS = 4
MIN_WORDS = 8  # a greeting or a one-line aside is rarely something to take away
CENTRALITY_WEIGHT = 0.8  # insights lean on centrality: an off-topic sentence is novel, not insightful
INSIGHT_RULE = (
    "Chosen as claims the evidence supports, then the talk's most central whole statements; never a sentence "
    "flagged as a fallacy, a claim the evidence contradicts, a question or a fragment."
)


@dataclass(frozen=True)
class Insight:
    text: str
    start_s: float
    reason: str  # "supported by <source>" | "central to the talk"


def key_insights(
    sentences: Sequence[Sentence],
    embedder: Embedder,
    fallacies: Sequence[Fallacy],
    claims: Sequence[CheckedClaim],
    limit: int = MAX_INSIGHTS,
) -> tuple[Insight, ...]:
    """Up to `limit` insights in transcript order: supported claims first, then central sentences."""
    if limit <= 0:
        return ()
    barred = {normalise(f.quote) for f in fallacies}
    barred |= {normalise(c.text) for c in claims if c.verdict is Verdict.CONTRADICTED}
    supported = [c for c in claims if c.verdict is Verdict.SUPPORTED and normalise(c.text) not in barred]
    picked = [Insight(c.text, c.start_s, _supported_by(c)) for c in supported[:limit]]
    taken = barred | {normalise(c.text) for c in supported}
    pool = [s for s in sentences if not s.fragment and len(s.text.split()) >= MIN_WORDS
            and normalise(s.text) not in taken and not s.text.endswith("?")]
    picked += _central(pool, embedder, limit - len(picked))
    return tuple(sorted(picked, key=lambda insight: insight.start_s))


def _supported_by(claim: CheckedClaim) -> str:
    return f"supported by {claim.evidence[0].source}" if claim.evidence else "supported by evidence"


def _central(pool: Sequence[Sentence], embedder: Embedder, k: int) -> list[Insight]:
    if k <= 0 or not pool:
        return []
    chosen = range(len(pool)) if len(pool) <= k else mmr(*centrality(pool, embedder), k, CENTRALITY_WEIGHT)
    return [Insight(pool[i].text, pool[i].start_s, "central to the talk") for i in chosen]
