"""One evaluation of one labelled file: the typed value that the CLI and `nox -s quality` render."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from autointel.evaluation.metrics import (
    CheckworthyMetrics,
    ClaimMetrics,
    FallacyMetrics,
    checkworthy_metrics,
    claim_metrics,
    fallacy_metrics,
)
from autointel.evaluation.records import (
    CheckworthyRecord,
    ClaimRecord,
    FallacyRecord,
    Kind,
    LineError,
    Parsed,
    read_records,
)
from autointel.memory.embeddings import Embedder

Metrics = FallacyMetrics | ClaimMetrics | CheckworthyMetrics


@dataclass(frozen=True)
class Scored:
    """Gold and predicted labels line by line (what a bootstrap resamples), with the file's errors."""

    kind: Kind
    gold: tuple[str, ...]
    predicted: tuple[str, ...]
    confidence: tuple[float, ...]
    errors: tuple[LineError, ...]

    @property
    def n(self) -> int:
        return len(self.gold)

    def metrics(self, rows: Callable[[int], bool] | None = None) -> Metrics:
        """The kind's metrics over all lines, or over the lines whose index `rows` accepts."""
        keep = [i for i in range(self.n) if rows is None or rows(i)]
        return metrics_of(self.kind, [self.gold[i] for i in keep], [self.predicted[i] for i in keep],
                          [self.confidence[i] for i in keep])


@dataclass(frozen=True)
class EvalReport:
    kind: Kind
    n: int
    metrics: Metrics
    errors: tuple[LineError, ...]


def metrics_of(kind: Kind, gold: list[str], predicted: list[str], confidence: list[float]) -> Metrics:
    if kind == "fallacies":
        return fallacy_metrics(gold, predicted)
    if kind == "claims":
        return claim_metrics(gold, predicted, confidence)
    return checkworthy_metrics([g == "true" for g in gold], [p == "true" for p in predicted])


def score_file(kind: Kind, path: Path, embedder: Embedder) -> Scored:
    """Read, predict and pair up; raises OSError/UnicodeDecodeError when the file cannot be read."""
    from autointel.phases.analysis.fallacies import FALLACY_TYPES

    parsed = read_records(kind, path, FALLACY_TYPES)
    return score_parsed(kind, parsed, embedder)


def score_parsed(kind: Kind, parsed: Parsed, embedder: Embedder) -> Scored:
    from autointel.evaluation import runners

    records = parsed.records
    if not records:  # nothing to predict: no model is run
        return Scored(kind, (), (), (), parsed.errors)
    if kind == "fallacies":
        fallacies = [r for r in records if isinstance(r, FallacyRecord)]
        gold = [r.label for r in fallacies]
        predicted = runners.predict_fallacies(fallacies, embedder)
        confidence = [1.0] * len(gold)
    elif kind == "claims":
        claims = [r for r in records if isinstance(r, ClaimRecord)]
        verdicts = runners.predict_verdicts(claims, embedder)
        gold = [r.label for r in claims]
        predicted = [v.label for v in verdicts]
        confidence = [v.confidence for v in verdicts]
    else:
        lines = [r for r in records if isinstance(r, CheckworthyRecord)]
        gold = [_flag(r.checkworthy) for r in lines]
        predicted = [_flag(p) for p in runners.predict_checkworthy(lines, embedder)]
        confidence = [1.0] * len(gold)
    return Scored(kind, tuple(gold), tuple(predicted), tuple(confidence), parsed.errors)


def report_of(scored: Scored) -> EvalReport:
    return EvalReport(scored.kind, scored.n, scored.metrics(), scored.errors)


def _flag(value: bool) -> str:
    return "true" if value else "false"
