"""Deterministic, local claim verification: spot check-worthy claims, check them, score the talk.

`EvidenceSearch` abstracts retrieval (the engine uses the vector store; tests use an in-memory
search), so the verdict logic runs the same everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence

from autointel.memory.embeddings import Embedder
from autointel.model import Claim, Verification
from autointel.phases.verification.claims import ClaimSpotter, extract_claims
from autointel.phases.verification.decision import load_model
from autointel.phases.verification.factcheck import EvidenceSearch, check_claim
from autointel.phases.verification.nli import NLIModel
from autointel.phases.verification.scoring import deception_score, trust_score

__all__ = [
    "ClaimSpotter", "EvidenceSearch", "check_claim", "deception_score", "extract_claims", "trust_score", "verify",
]


def verify(claims: Sequence[Claim], search: EvidenceSearch, embedder: Embedder, nli: NLIModel) -> Verification:
    """Check every claim in order and score the whole set."""
    model = load_model()
    checked = tuple(check_claim(claim, search, embedder, nli, model) for claim in claims)
    return Verification(checked, trust_score(checked))
