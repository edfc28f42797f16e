"""Run the project's own analysers on labelled records, exactly as a talk would meet them.

Fallacies: a line is split into sentences and scored by the run's `FallacyDetector`; the line's label is
its most confident fallacy. Claims: every line's evidence goes into one corpus indexed as `--evidence`
indexes documents (one paragraph per sentence), and each claim is checked against that whole corpus,
retrieval included. Check-worthiness: the extractor's own decision for the sentence.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from autointel.evaluation.records import NO_FALLACY, CheckworthyRecord, ClaimRecord, FallacyRecord
from autointel.memory.chunking import split_sentences
from autointel.memory.embeddings import Embedder
from autointel.model import CheckedClaim

CORPUS_FILE = "eval-corpus.txt"


@dataclass(frozen=True)
class VerdictPrediction:
    label: str
    confidence: float


def predict_fallacies(records: Sequence[FallacyRecord], embedder: Embedder) -> list[str]:
    from autointel.phases.analysis.fallacies import FallacyDetector
    from autointel.phases.text import Sentence

    pieces = [[s for s in split_sentences(r.text) if s.strip()] or [r.text] for r in records]
    embedder.embed([s for sentences in pieces for s in sentences])  # one pass warms the shared cache
    detector = FallacyDetector(embedder)
    out: list[str] = []
    for sentences in pieces:
        found = detector.detect([Sentence(text, 0.0, 0.0) for text in sentences])
        out.append(max(found, key=lambda f: f.confidence).type if found else NO_FALLACY)
    return out


def predict_verdicts(records: Sequence[ClaimRecord], embedder: Embedder) -> list[VerdictPrediction]:
    return [VerdictPrediction(c.verdict.value, c.confidence) for c in check_records(records, embedder)]


def check_records(records: Sequence[ClaimRecord], embedder: Embedder) -> list[CheckedClaim]:
    """Each record's claim checked against the corpus of every record's evidence (retrieval included)."""
    from autointel.memory.store import IndexedSentences, index_evidence, search_evidence
    from autointel.memory.vectors import VectorStore
    from autointel.model import Claim, Evidence
    from autointel.phases.verification.decision import load_model
    from autointel.phases.verification.factcheck import check_claim
    from autointel.phases.verification.nli import NLIModel

    with tempfile.TemporaryDirectory(prefix="autointel-eval-") as folder, VectorStore() as store:
        sentences = dict.fromkeys(s for r in records for s in r.evidence)
        if sentences:
            (Path(folder) / CORPUS_FILE).write_text("\n\n".join(sentences) + "\n", encoding="utf-8")
            index_evidence(store, embedder, Path(folder))

        def search(text: str, limit: int) -> list[Evidence]:
            return search_evidence(store, embedder, text, limit) if sentences else []

        nli, model, aligner = NLIModel(), load_model(), IndexedSentences(store, embedder)
        return [check_claim(Claim(r.claim, 0.0, ()), search, aligner, nli, model) for r in records]


def predict_checkworthy(records: Sequence[CheckworthyRecord], embedder: Embedder) -> list[bool]:
    from autointel.phases.verification.claims import checkworthy_scores, load_model

    model = load_model()
    scores = checkworthy_scores([r.text for r in records], embedder, model=model)
    return [score >= model.threshold for score in scores]
