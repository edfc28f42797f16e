"""Shared validation and bootstrap helpers for the stats layer (private)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt
from scipy import stats

FloatArray = npt.NDArray[np.float64]
Samples = Sequence[float] | FloatArray
"""Accepted sample input: a plain float sequence or a float64 numpy array."""


def as_samples(samples: Samples, what: str = "samples") -> FloatArray:
    """Validate once at the boundary so every routine can assume a finite, non-empty 1-D array."""
    arr = np.asarray(samples, dtype=np.float64)
    if arr.ndim != 1:
        raise ValueError(f"{what} must be one-dimensional, got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{what} must not be empty")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{what} must be finite")
    return arr


def check_level(confidence: float) -> None:
    """Reject confidence levels that would make a CI meaningless."""
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")


def check_resamples(n_resamples: int) -> None:
    """Percentile CIs need enough resamples for the tail quantiles to exist."""
    if n_resamples < 100:
        raise ValueError(f"n_resamples must be >= 100, got {n_resamples}")


def min_runs_for_median_ci(confidence: float = 0.95) -> int:
    """Smallest n at which an interval inside the sample's range can cover a median at the two-sided level.

    Whatever the distribution, the true median lies below the sample minimum with probability 0.5**n, and above
    the maximum as often, so even [min, max] (the widest interval a percentile bootstrap can return) covers it
    with probability 1 - 2 * 0.5**n: 75% at n = 3, 93.75% at n = 5, 96.9% at n = 6. Below this n a "95% CI" of
    a median, or of a ratio or difference of medians, would claim more than the runs can support.
    """
    check_level(confidence)
    return math.ceil(math.log2(2.0 / (1.0 - confidence)) - 1e-9)


def supports_median_ci(arrays: Sequence[FloatArray], confidence: float) -> bool:
    """Every sample (or every group of blocks) holds enough runs for `min_runs_for_median_ci`."""
    needed = min_runs_for_median_ci(confidence)
    return all(a.size >= needed for a in arrays)


def check_paired(samples: Sequence[FloatArray], paired: bool) -> None:
    """Paired samples are aligned blocks: checked even when too few runs skip the bootstrap."""
    if paired and len({len(x) for x in samples}) > 1:
        raise ValueError("paired samples must have the same length (one value per block in each)")


def is_constant(arr: FloatArray) -> bool:
    """A sample with no spread has a degenerate (point) bootstrap distribution."""
    return bool(np.ptp(arr) == 0.0)


def percentile_ci(
    samples: tuple[FloatArray, ...],
    statistic: Callable[..., FloatArray],
    confidence: float,
    n_resamples: int,
    seed: int,
    paired: bool = False,
) -> tuple[float, float]:
    """Percentile bootstrap CI of a vectorised scalar statistic (each sample resampled on its own, or
    `paired`: one index draw for all, the samples being aligned observations of the same blocks)."""
    low, high = bootstrap_bounds(samples, statistic, confidence, n_resamples, seed, paired)
    return float(low), float(high)


def bootstrap_bounds(
    samples: tuple[FloatArray, ...],
    statistic: Callable[..., FloatArray],
    confidence: float,
    n_resamples: int,
    seed: int,
    paired: bool = False,
) -> tuple[FloatArray, FloatArray]:
    """The same interval for a statistic that may return a vector (one bound per component)."""
    check_paired(samples, paired)
    res = stats.bootstrap(
        samples,
        statistic,
        n_resamples=n_resamples,
        vectorized=True,
        paired=paired,
        confidence_level=confidence,
        method="percentile",
        rng=np.random.default_rng(seed),
    )
    low = np.asarray(res.confidence_interval.low, dtype=np.float64)
    high = np.asarray(res.confidence_interval.high, dtype=np.float64)
    return low, high


def _ratio_of_medians(cand: FloatArray, base: FloatArray, axis: int = -1) -> FloatArray:
    """Vectorised statistic for scipy.stats.bootstrap: median(candidate) / median(baseline)."""
    result: FloatArray = np.median(cand, axis=axis) / np.median(base, axis=axis)
    return result


def ratio_of_medians_ci(
    candidate: FloatArray,
    baseline: FloatArray,
    confidence: float,
    n_resamples: int,
    seed: int,
    paired: bool = False,
) -> tuple[float, float, float]:
    """Point ratio of medians and its percentile bootstrap CI (independent two-sample resampling, or
    `paired`: candidate[i] and baseline[i] come from the same block, e.g. one bench iteration sharing one
    draw of LLM latencies, and are resampled together, so the block-to-block variation cancels).

    Percentile (not BCa): the median is a non-smooth statistic, so BCa's jackknife acceleration
    is erratic at n~10 and degenerates (NaN + warnings) on tied or constant data; the percentile
    interval is transformation-respecting (a CI for 1/ratio is the reciprocal) and always finite.
    With fewer runs in either sample than `min_runs_for_median_ci` (6 at 95%) the CI is reported as
    (0, inf) -- honest ignorance -- rather than an interval that covers less often than it says.
    """
    check_level(confidence)
    check_resamples(n_resamples)
    check_paired((candidate, baseline), paired)
    base_median = float(np.median(baseline))
    if base_median <= 0.0 or float(np.median(candidate)) < 0.0:
        raise ValueError("ratio of medians needs a positive baseline median and non-negative candidate")
    ratio = float(np.median(candidate)) / base_median
    if not supports_median_ci((candidate, baseline), confidence):
        return ratio, 0.0, math.inf
    if is_constant(candidate) and is_constant(baseline):
        return ratio, ratio, ratio
    low, high = percentile_ci((candidate, baseline), _ratio_of_medians, confidence, n_resamples, seed, paired)
    if math.isnan(low) or math.isnan(high):  # zero baseline medians in some resamples
        return ratio, 0.0, math.inf
    return ratio, low, high
