"""Factorial (2^k) effect analysis of the flag matrix, robust to missing cells.

Each cell (one flag combination) is summarised by its median. CIs are percentile bootstraps that
resample *within* each cell independently (scipy.stats.bootstrap, paired=False), so cell-to-cell
noise propagates into the effect's uncertainty.

Missing cells: contrasts are built only from complete matched units -- a main effect from pairs
of cells differing only in that flag, an interaction from complete 2x2 squares -- averaged over
the other flags' settings. A unit with a missing cell is dropped (so the estimate is never
confounded by another flag's effect); an effect with no complete unit is skipped, not guessed.
Cells with fewer than 2 runs count as missing (their median has no estimable uncertainty).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

import numpy as np

from autointel.model.statistics import Effect
from autointel.stats._common import (
    FloatArray,
    Samples,
    as_samples,
    bootstrap_bounds,
    check_level,
    check_resamples,
    supports_median_ci,
)
from autointel.stats.seeds import derive_seed

Key = tuple[bool, ...]
K = TypeVar("K", bound=tuple[bool, ...])  # lets callers pass dict[tuple[bool, bool, bool], ...]


def _prepare(cells: Mapping[K, Samples], names: Sequence[str]) -> dict[Key, FloatArray]:
    """Normalise keys, validate shapes, and drop cells that cannot be bootstrapped (n < 2)."""
    k = len(names)
    if k == 0 or len(set(names)) != k:
        raise ValueError("names must be non-empty and unique")
    out: dict[Key, FloatArray] = {}
    for key, samples in cells.items():
        if len(key) != k:
            raise ValueError(f"cell key {key} has {len(key)} flags, expected {k}")
        arr = as_samples(samples, f"cell {key}")
        if np.any(arr <= 0.0):
            raise ValueError(f"cell {key}: times must be positive (effects use ratios and logs)")
        if arr.size >= 2:
            out[tuple(bool(v) for v in key)] = arr
    return out


def _with(key: Key, index: int, value: bool) -> Key:
    return (*key[:index], value, *key[index + 1 :])


def _bootstrap(
    data: dict[Key, FloatArray],
    contrast: Callable[[dict[Key, FloatArray]], FloatArray],
    confidence: float,
    n_resamples: int,
    seed: int,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Point value and percentile CI of a vector-valued contrast of cell medians."""
    keys = sorted(data)

    def statistic(*samples: FloatArray, axis: int = -1) -> FloatArray:
        medians = {key: np.median(s, axis=axis) for key, s in zip(keys, samples, strict=True)}
        return contrast(medians)

    point = np.asarray(contrast({key: np.asarray(np.median(data[key])) for key in keys}), dtype=np.float64)
    samples = tuple(data[key] for key in keys)
    if not supports_median_ci(samples, confidence):  # too few runs in a cell: no CI, not a false one
        return point, np.full_like(point, -math.inf), np.full_like(point, math.inf)
    low, high = bootstrap_bounds(samples, statistic, confidence, n_resamples, seed)
    return point, low, high


def main_effects(
    cells: Mapping[K, Samples],
    names: Sequence[str],
    confidence: float = 0.95,
    n_resamples: int = 2000,
    seed: int = 0,
) -> list[Effect]:
    """Per flag: on-minus-off difference of cell medians (seconds) and the on/off ratio, with CIs.

    On a complete matrix this is the standard factorial main effect (mean of the 'on' cell medians
    minus mean of the 'off' ones); with holes it uses matched pairs only (module docstring).
    """
    check_level(confidence)
    check_resamples(n_resamples)
    data = _prepare(cells, names)
    effects: list[Effect] = []
    for i, name in enumerate(names):
        pairs = [(key, _with(key, i, True)) for key in data if not key[i] and _with(key, i, True) in data]
        if not pairs:
            continue

        def contrast(med: dict[Key, FloatArray], pairs: list[tuple[Key, Key]] = pairs) -> FloatArray:
            on = sum(med[b] for _, b in pairs) / len(pairs)
            off = sum(med[a] for a, _ in pairs) / len(pairs)
            return np.stack([np.asarray(on - off), np.asarray(on / off)])

        involved = {key: data[key] for pair in pairs for key in pair}
        point, low, high = _bootstrap(involved, contrast, confidence, n_resamples, derive_seed(seed, "main", name))
        effects.append(
            Effect(name, float(point[0]), float(low[0]), float(high[0]), float(point[1]),
                   max(float(low[1]), 0.0), float(high[1]), "seconds", len(pairs))
        )
    return effects


def interactions(
    cells: Mapping[K, Samples],
    names: Sequence[str],
    confidence: float = 0.95,
    n_resamples: int = 2000,
    seed: int = 0,
) -> list[Effect]:
    """Per flag pair: the standard two-way factorial interaction contrast on log cell medians.

    Per complete 2x2 square, AB = (l11 + l00 - l10 - l01) / 2, averaged over the other flags'
    settings. Logs make effects multiplicative: exp(AB) is the factor by which A's speed-up ratio
    changes when B is on (A's ratio is exp(A + AB) with B on, exp(A - AB) with B off, where A is
    the log main effect). 0 (ratio 1) means the flags combine independently.
    """
    check_level(confidence)
    check_resamples(n_resamples)
    data = _prepare(cells, names)
    effects: list[Effect] = []
    for i, j in itertools.combinations(range(len(names)), 2):
        squares: list[tuple[Key, Key, Key, Key]] = []
        for key in data:
            if key[i] or key[j]:
                continue
            k10, k01 = _with(key, i, True), _with(key, j, True)
            k11 = _with(k10, j, True)
            if k10 in data and k01 in data and k11 in data:
                squares.append((key, k10, k01, k11))
        if not squares:
            continue

        def contrast(med: dict[Key, FloatArray], sq: list[tuple[Key, Key, Key, Key]] = squares) -> FloatArray:
            total = sum(np.log(med[k00]) + np.log(med[k11]) - np.log(med[k10]) - np.log(med[k01])
                        for k00, k10, k01, k11 in sq)
            return np.stack([np.asarray(total / (2.0 * len(sq)))])

        involved = {key: data[key] for square in squares for key in square}
        point, low, high = _bootstrap(involved, contrast, confidence, n_resamples,
                                       derive_seed(seed, "interaction", names[i], names[j]))
        est, lo, hi = float(point[0]), float(low[0]), float(high[0])
        effects.append(
            Effect(f"{names[i]} x {names[j]}", est, lo, hi, math.exp(est), math.exp(lo), math.exp(hi),
                   "log", len(squares))
        )
    return effects
