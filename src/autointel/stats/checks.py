"""Decision rules and statistics the performance goals need beyond the comparison family.

Checks are three-valued like `budgets`: "pass" or "fail" only when the 95% CI lies wholly on one
side of the limit, else "inconclusive", so no goal is passed (or failed) on a point estimate that
the run-to-run noise could flip. CIs are percentile bootstraps (see `_common.ratio_of_medians_ci`
for why percentile); a CI that n cannot support (`_common.min_runs_for_median_ci`) is infinite rather
than a false point.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from autointel.stats._common import (
    FloatArray,
    Samples,
    as_samples,
    bootstrap_bounds,
    check_level,
    check_paired,
    check_resamples,
    is_constant,
    percentile_ci,
    supports_median_ci,
)


def limit_check(
    ci_low: float, ci_high: float, *, at_most: float | None = None, at_least: float | None = None,
    strict: bool = False,
) -> str:
    """Judge a CI against one limit: `at_most` ("at most"/"under") or `at_least`; `strict` makes the
    limit itself a failure ("under 0.5 s"). NaN bounds can never decide, so they stay inconclusive."""
    if (at_most is None) == (at_least is None):
        raise ValueError("give exactly one of at_most and at_least")
    if at_most is not None:
        ok = ci_high < at_most if strict else ci_high <= at_most
        bad = ci_low >= at_most if strict else ci_low > at_most
    else:
        assert at_least is not None
        ok = ci_low > at_least if strict else ci_low >= at_least
        bad = ci_high <= at_least if strict else ci_high < at_least
    return "pass" if ok else "fail" if bad else "inconclusive"


@dataclass(frozen=True)
class Spread:
    """Points relative to their own median: how far the worst one strays, with its CI."""

    reference: float  # median of the points
    worst: int  # index of the point farthest (relatively) from the reference
    ratio: float  # worst point / reference
    ratio_ci_low: float
    ratio_ci_high: float
    verdict: str


def spread_check(points: Sequence[float], lows: Sequence[float], highs: Sequence[float], tolerance: float) -> Spread:
    """Do all points lie within +-tolerance of their median? Each point's CI is divided by the
    reference (treated as fixed: it is the median of the very points being judged). "pass" when every
    CI is inside the band, "fail" when some CI lies wholly outside it, else "inconclusive"."""
    if not 0.0 < tolerance < 1.0:
        raise ValueError(f"tolerance must be in (0, 1), got {tolerance}")
    if not len(points) == len(lows) == len(highs) or len(points) < 2:
        raise ValueError("need at least two points, each with both CI bounds")
    reference = float(np.median(np.asarray(points, dtype=np.float64)))
    if not reference > 0.0:
        raise ValueError("the points' median must be > 0")
    ratios = [p / reference for p in points]
    band = (1.0 - tolerance, 1.0 + tolerance)
    inside = [band[0] <= lo / reference and hi / reference <= band[1] for lo, hi in zip(lows, highs, strict=True)]
    outside = [hi / reference < band[0] or lo / reference > band[1] for lo, hi in zip(lows, highs, strict=True)]
    worst = max(range(len(points)), key=lambda i: (abs(ratios[i] - 1.0), -i))
    verdict = "fail" if any(outside) else "pass" if all(inside) else "inconclusive"
    return Spread(reference, worst, ratios[worst], lows[worst] / reference, highs[worst] / reference, verdict)


def _difference(cand: FloatArray, base: FloatArray, axis: int = -1) -> FloatArray:
    result: FloatArray = np.median(cand, axis=axis) - np.median(base, axis=axis)
    return result


def difference_of_medians(
    candidate: Samples, baseline: Samples, seed: int = 0, *, confidence: float = 0.95, n_resamples: int = 2000,
    paired: bool = False,
) -> tuple[float, float, float]:
    """median(candidate) - median(baseline) with a percentile bootstrap CI (independent resampling, or
    `paired` blocks as in `compare`): the absolute cost one configuration adds, e.g. a framework's own
    overhead."""
    check_level(confidence)
    check_resamples(n_resamples)
    cand, base = as_samples(candidate, "candidate"), as_samples(baseline, "baseline")
    check_paired((cand, base), paired)
    point = float(np.median(cand) - np.median(base))
    if not supports_median_ci((cand, base), confidence):
        return point, -math.inf, math.inf
    if is_constant(cand) and is_constant(base):
        return point, point, point
    low, high = percentile_ci((cand, base), _difference, confidence, n_resamples, seed, paired)
    return point, low, high


def scaling_exponent(
    sizes: Sequence[float], groups: Sequence[Samples], seed: int = 0, *, confidence: float = 0.95,
    n_resamples: int = 2000,
) -> tuple[float, float, float]:
    """Log-log least-squares slope of each group's median against its size, with a bootstrap CI that
    resamples within every group. Slope < 1 means the quantity grows sub-linearly with the size.
    A group with fewer runs than `min_runs_for_median_ci` gives the CI (-inf, inf)."""
    check_level(confidence)
    check_resamples(n_resamples)
    if len(sizes) != len(groups):
        raise ValueError("one group of samples per size")
    x = np.log(np.asarray(sizes, dtype=np.float64))
    if x.size < 2 or not np.all(np.isfinite(x)) or is_constant(x):
        raise ValueError("need at least two distinct positive sizes")
    arrays = tuple(as_samples(g, f"group {i}") for i, g in enumerate(groups))
    if any(not np.all(a > 0.0) for a in arrays):
        raise ValueError("a log-log slope needs positive values")
    dx = x - x.mean()

    def slope(*samples: FloatArray, axis: int = -1) -> FloatArray:
        y = np.stack([np.log(np.median(s, axis=axis)) for s in samples], axis=-1)
        result: FloatArray = ((y - y.mean(axis=-1, keepdims=True)) * dx).sum(axis=-1) / float((dx * dx).sum())
        return result

    point = float(slope(*arrays))
    if not supports_median_ci(arrays, confidence):
        return point, -math.inf, math.inf
    if all(is_constant(a) for a in arrays):
        return point, point, point
    low, high = percentile_ci(arrays, slope, confidence, n_resamples, seed)
    return point, low, high


@dataclass(frozen=True)
class LinearCost:
    """cost = fixed + marginal x size: what a run pays once, and what each unit of work adds."""

    fixed: float
    fixed_ci_low: float
    fixed_ci_high: float
    marginal: float
    marginal_ci_low: float
    marginal_ci_high: float


def linear_cost(
    sizes: Sequence[float], groups: Sequence[Samples], seed: int = 0, *, confidence: float = 0.95,
    n_resamples: int = 2000,
) -> LinearCost:
    """Least-squares line through each group's median against its size, with bootstrap CIs that resample
    within every group. It explains a per-unit spread: a fixed cost per run makes short work dearer per
    unit while the marginal cost stays flat. A group with fewer runs than `min_runs_for_median_ci` gives
    infinite CIs."""
    check_level(confidence)
    check_resamples(n_resamples)
    if len(sizes) != len(groups):
        raise ValueError("one group of samples per size")
    x = np.asarray(sizes, dtype=np.float64)
    if x.size < 2 or not np.all(np.isfinite(x)) or is_constant(x):
        raise ValueError("need at least two distinct finite sizes")
    arrays = tuple(as_samples(g, f"group {i}") for i, g in enumerate(groups))
    dx = x - x.mean()

    def line(*samples: FloatArray, axis: int = -1) -> FloatArray:
        y = np.stack([np.median(s, axis=axis) for s in samples], axis=-1)
        slope = ((y - y.mean(axis=-1, keepdims=True)) * dx).sum(axis=-1) / float((dx * dx).sum())
        result: FloatArray = np.stack([y.mean(axis=-1) - slope * x.mean(), slope])
        return result

    fixed, marginal = (float(v) for v in line(*arrays))
    if not supports_median_ci(arrays, confidence):
        return LinearCost(fixed, -math.inf, math.inf, marginal, -math.inf, math.inf)
    if all(is_constant(a) for a in arrays):
        return LinearCost(fixed, fixed, fixed, marginal, marginal, marginal)
    low, high = bootstrap_bounds(arrays, line, confidence, n_resamples, seed)
    return LinearCost(fixed, float(low[0]), float(high[0]), marginal, float(low[1]), float(high[1]))
