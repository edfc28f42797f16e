"""Aggregate scores: how far the talk's checkable claims hold up, and how manipulative it looks.

trust_score: a confidence-weighted mean of per-claim values, shrunk toward 50 by one pseudo-claim
so that a single claim cannot push the score to an extreme:

    trust = 100 * (0.5 * PRIOR + sum(w_i * v_i)) / (PRIOR + sum(w_i))

with v = 1 for supported, 0 for contradicted, 0.45 for unverifiable (a claim nobody can back is a
little worse than neutral), w = the verdict confidence for supported/contradicted, and a fixed
UNVERIFIABLE_WEIGHT for unverifiable claims (they tell us little). No claims gives exactly 50.

deception_score: the noisy-or of two signals in 0..1,

    fallacy  = 1 - exp(-FALLACY_RATE * sum(confidence) / sentence_count)
    contra   = contradicted / checked claims (0 without claims)
    score    = 1 - (1 - FALLACY_SHARE * fallacy) * (1 - CONTRA_SHARE * contra)

so one fallacy per ten sentences scores about 0.3 on its own, and a talk whose every claim is
contradicted scores at least 0.6.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from autointel.model import CheckedClaim, Fallacy, Verdict

PRIOR = 1.0
UNVERIFIABLE_VALUE = 0.45
UNVERIFIABLE_WEIGHT = 0.3
FALLACY_RATE = 5.0
FALLACY_SHARE = 0.8
CONTRA_SHARE = 0.6

_VALUES = {Verdict.SUPPORTED: 1.0, Verdict.CONTRADICTED: 0.0, Verdict.UNVERIFIABLE: UNVERIFIABLE_VALUE}


def trust_score(claims: Sequence[CheckedClaim]) -> float:
    """0..100; 50 with no claims; see the module docstring for the formula."""
    weighted = 0.5 * PRIOR
    total = PRIOR
    for claim in claims:
        weight = UNVERIFIABLE_WEIGHT if claim.verdict is Verdict.UNVERIFIABLE else max(claim.confidence, 0.05)
        weighted += weight * _VALUES[claim.verdict]
        total += weight
    return round(100.0 * weighted / total, 2)


def deception_score(claims: Sequence[CheckedClaim], fallacies: Sequence[Fallacy], sentence_count: int) -> float:
    """0..1 from fallacy density and the contradicted share of claims; see the module docstring."""
    density = sum(f.confidence for f in fallacies) / max(sentence_count, 1)
    fallacy = 1.0 - math.exp(-FALLACY_RATE * density)
    contradicted = sum(1 for c in claims if c.verdict is Verdict.CONTRADICTED) / len(claims) if claims else 0.0
    score = 1.0 - (1.0 - FALLACY_SHARE * fallacy) * (1.0 - CONTRA_SHARE * contradicted)
    return round(min(max(score, 0.0), 1.0), 4)
