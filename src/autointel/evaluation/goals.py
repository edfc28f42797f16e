"""The quality goals of issue 27, defined once: `nox -s quality` judges every bundled test split by them.

A goal passes only when its whole bootstrap CI clears the threshold and fails when the whole CI misses it;
anything between is inconclusive, never dressed as a pass.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import stats

from autointel.evaluation.metrics import CheckworthyMetrics, ClaimMetrics, FallacyMetrics
from autointel.evaluation.records import Kind
from autointel.evaluation.report import Metrics, Scored

Role = Literal["labelled", "neutral"]
Verdict = Literal["pass", "fail", "inconclusive", "not measured"]
RESAMPLES = 1000
LEVEL = 0.95


@dataclass(frozen=True)
class QualityGoal:
    name: str
    kind: Kind
    role: Role  # labelled: a file with every class; neutral: a file of ordinary sentences labelled none
    higher_is_better: bool
    threshold: float
    value: Callable[[Metrics], float | None]


@dataclass(frozen=True)
class GoalResult:
    goal: str
    dataset: str
    n: int
    value: float | None
    low: float | None
    high: float | None
    threshold: float
    higher_is_better: bool
    verdict: Verdict


def _fallacy(attr: str) -> Callable[[Metrics], float | None]:
    def read(m: Metrics) -> float | None:
        return getattr(m, attr) if isinstance(m, FallacyMetrics) else None
    return read


def _claims_margin(m: Metrics) -> float | None:
    if not isinstance(m, ClaimMetrics) or m.accuracy is None or m.majority_baseline is None:
        return None
    return m.accuracy - m.majority_baseline


def _claims(attr: str) -> Callable[[Metrics], float | None]:
    def read(m: Metrics) -> float | None:
        return getattr(m, attr) if isinstance(m, ClaimMetrics) else None
    return read


def _checkworthy(attr: str) -> Callable[[Metrics], float | None]:
    def read(m: Metrics) -> float | None:
        return getattr(m, attr) if isinstance(m, CheckworthyMetrics) else None
    return read


GOALS: tuple[QualityGoal, ...] = (
    QualityGoal("fallacy detection rate", "fallacies", "labelled", True, 0.50, _fallacy("detection_rate")),
    QualityGoal("fallacy macro-F1 (shared types)", "fallacies", "labelled", True, 0.35, _fallacy("macro_f1")),
    QualityGoal("fallacy false positives on neutral sentences", "fallacies", "neutral", False, 0.03,
                _fallacy("false_positive_rate")),
    QualityGoal("fact-check accuracy over the majority baseline", "claims", "labelled", True, 0.15, _claims_margin),
    QualityGoal("fact-check decisive precision", "claims", "labelled", True, 0.80, _claims("decisive_precision")),
    QualityGoal("check-worthy claim recall", "checkworthy", "labelled", True, 0.80, _checkworthy("recall")),
    QualityGoal("check-worthy claim precision", "checkworthy", "labelled", True, 0.60, _checkworthy("precision")),
)


def judge(goal: QualityGoal, dataset: str, scored: Scored, seed: int = 0) -> GoalResult:
    """The goal's value on all lines and its percentile bootstrap CI over resampled lines."""
    value = goal.value(scored.metrics())
    low, high = _bootstrap(goal, scored, seed) if value is not None and scored.n > 1 else (None, None)
    return GoalResult(goal.name, dataset, scored.n, value, low, high, goal.threshold, goal.higher_is_better,
                      _verdict(goal, value, low, high))


def _bootstrap(goal: QualityGoal, scored: Scored, seed: int) -> tuple[float | None, float | None]:
    def statistic(rows: Sequence[float]) -> float:
        picked = [int(i) for i in rows]  # the resampled sample is a list of line indices
        sub = Scored(scored.kind, tuple(scored.gold[i] for i in picked), tuple(scored.predicted[i] for i in picked),
                     tuple(scored.confidence[i] for i in picked), ())
        found = goal.value(sub.metrics())
        return float("nan") if found is None else found

    result = stats.bootstrap((np.arange(scored.n),), statistic, vectorized=False, n_resamples=RESAMPLES,
                             confidence_level=LEVEL, method="percentile", random_state=np.random.default_rng(seed))
    low, high = float(result.confidence_interval.low), float(result.confidence_interval.high)
    return (None, None) if np.isnan(low) or np.isnan(high) else (low, high)


def _verdict(goal: QualityGoal, value: float | None, low: float | None, high: float | None) -> Verdict:
    if value is None:
        return "not measured"
    if low is None or high is None:
        low = high = value
    good, bad = (low, high) if goal.higher_is_better else (-high, -low)
    threshold = goal.threshold if goal.higher_is_better else -goal.threshold
    if good >= threshold:
        return "pass"
    if bad < threshold:
        return "fail"
    return "inconclusive"
