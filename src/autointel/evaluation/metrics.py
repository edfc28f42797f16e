"""Scores of labelled predictions as typed values: pure functions of (gold, predicted), so that the
bootstrap can recompute them on resampled lines and every caller reports the same definitions.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from autointel.evaluation.records import NO_FALLACY, VERDICT_LABELS

DECISIVE = ("supported", "contradicted")
CALIBRATION_BINS = 10


@dataclass(frozen=True)
class ClassScores:
    """Precision is None when nothing was predicted as the class, recall None when it never occurs."""

    precision: float | None
    recall: float | None
    f1: float
    support: int
    predicted: int


@dataclass(frozen=True)
class FallacyMetrics:
    detection_rate: float | None  # share of fallacious lines with any fallacy reported
    false_positive_rate: float | None  # share of `none` lines with a fallacy reported
    macro_f1: float | None  # mean F1 over the fallacy types present in the gold labels
    per_type: dict[str, ClassScores]
    confusion: dict[str, dict[str, int]]  # gold label -> predicted label -> lines


@dataclass(frozen=True)
class CalibrationBin:
    low: float
    high: float
    n: int
    mean_confidence: float
    accuracy: float


@dataclass(frozen=True)
class Calibration:
    """Reliability table of the verdict confidences, and the Brier score of "this verdict is right"."""

    bins: tuple[CalibrationBin, ...]
    brier: float | None
    expected_calibration_error: float | None


@dataclass(frozen=True)
class ClaimMetrics:
    accuracy: float | None
    majority_baseline: float | None
    majority_label: str | None
    per_class: dict[str, ClassScores]
    decisive_precision: float | None  # share right among supported/contradicted verdicts
    decisive: int  # how many verdicts were decisive
    calibration: Calibration
    confusion: dict[str, dict[str, int]]


@dataclass(frozen=True)
class CheckworthyMetrics:
    precision: float | None
    recall: float | None
    f1: float
    true_positives: int
    false_positives: int
    false_negatives: int
    true_negatives: int


def class_scores(gold: Sequence[str], predicted: Sequence[str], label: str) -> ClassScores:
    hits = sum(1 for g, p in zip(gold, predicted, strict=True) if g == p == label)
    support = sum(1 for g in gold if g == label)
    guessed = sum(1 for p in predicted if p == label)
    precision = hits / guessed if guessed else None
    recall = hits / support if support else None
    return ClassScores(precision, recall, _f1(precision, recall), support, guessed)


def confusion(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, dict[str, int]]:
    counts = Counter(zip(gold, predicted, strict=True))
    out: dict[str, dict[str, int]] = {}
    for (g, p), n in sorted(counts.items()):
        out.setdefault(g, {})[p] = n
    return out


def fallacy_metrics(gold: Sequence[str], predicted: Sequence[str]) -> FallacyMetrics:
    pairs = list(zip(gold, predicted, strict=True))
    fallacious = [p for g, p in pairs if g != NO_FALLACY]
    neutral = [p for g, p in pairs if g == NO_FALLACY]
    types = sorted({g for g in gold if g != NO_FALLACY})
    per_type = {t: class_scores(gold, predicted, t) for t in types}
    return FallacyMetrics(
        detection_rate=_share(fallacious, lambda p: p != NO_FALLACY),
        false_positive_rate=_share(neutral, lambda p: p != NO_FALLACY),
        macro_f1=sum(s.f1 for s in per_type.values()) / len(per_type) if per_type else None,
        per_type=per_type,
        confusion=confusion(gold, predicted),
    )


def claim_metrics(gold: Sequence[str], predicted: Sequence[str], confidence: Sequence[float]) -> ClaimMetrics:
    n = len(gold)
    counts = Counter(gold)
    majority = max(VERDICT_LABELS, key=lambda label: counts[label]) if n else None
    right = [g == p for g, p in zip(gold, predicted, strict=True)]
    decisive = [ok for ok, p in zip(right, predicted, strict=True) if p in DECISIVE]
    return ClaimMetrics(
        accuracy=sum(right) / n if n else None,
        majority_baseline=counts[majority] / n if majority else None,
        majority_label=majority,
        per_class={label: class_scores(gold, predicted, label) for label in VERDICT_LABELS},
        decisive_precision=sum(decisive) / len(decisive) if decisive else None,
        decisive=len(decisive),
        calibration=calibration(confidence, right),
        confusion=confusion(gold, predicted),
    )


def checkworthy_metrics(gold: Sequence[bool], predicted: Sequence[bool]) -> CheckworthyMetrics:
    pairs = list(zip(gold, predicted, strict=True))
    tp = sum(1 for g, p in pairs if g and p)
    fp = sum(1 for g, p in pairs if p and not g)
    fn = sum(1 for g, p in pairs if g and not p)
    tn = len(pairs) - tp - fp - fn
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else None
    return CheckworthyMetrics(precision, recall, _f1(precision, recall), tp, fp, fn, tn)


def calibration(confidence: Sequence[float], right: Sequence[bool]) -> Calibration:
    """Equal-width confidence bins (empty ones left out), Brier score and expected calibration error."""
    pairs = [(min(max(c, 0.0), 1.0), ok) for c, ok in zip(confidence, right, strict=True)]
    if not pairs:
        return Calibration((), None, None)
    bins: list[CalibrationBin] = []
    for k in range(CALIBRATION_BINS):
        low, high = k / CALIBRATION_BINS, (k + 1) / CALIBRATION_BINS
        inside = [(c, ok) for c, ok in pairs if low <= c < high or (k == CALIBRATION_BINS - 1 and c == 1.0)]
        if inside:
            bins.append(CalibrationBin(low, high, len(inside), sum(c for c, _ in inside) / len(inside),
                                       sum(ok for _, ok in inside) / len(inside)))
    brier = sum((c - ok) ** 2 for c, ok in pairs) / len(pairs)
    ece = sum(b.n * abs(b.mean_confidence - b.accuracy) for b in bins) / len(pairs)
    return Calibration(tuple(bins), brier, ece)


def _f1(precision: float | None, recall: float | None) -> float:
    if not precision or not recall:
        return 0.0
    return 2 * precision * recall / (precision + recall)


def _share(values: Sequence[str], test: Callable[[str], bool]) -> float | None:
    return sum(1 for v in values if test(v)) / len(values) if values else None
