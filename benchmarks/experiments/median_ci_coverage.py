"""How often a 95% CI of a ratio of medians covers the true ratio, by number of runs.

Why `stats.min_runs_for_median_ci` is 6: a percentile bootstrap never leaves the sample's range, and [min, max] of
n runs covers a median only 1 - 2 x 0.5^n of the time. This simulates paired cells the way the hosted LLM profile
makes them (a shared lognormal draw per iteration, a smaller one per run) and counts coverage of a plain paired
percentile bootstrap (what the harness did before the rule) and of
`autointel.stats._common.ratio_of_medians_ci` (after).

    nox -s experiment -- median_ci_coverage [--reps 400]
"""

from __future__ import annotations

import argparse

import numpy as np

from autointel.stats._common import ratio_of_medians_ci

TRUE_RATIO = 0.6


def percentile_bootstrap(cand: np.ndarray, base: np.ndarray, rng: np.random.Generator) -> tuple[float, float]:
    rows = rng.integers(0, len(cand), size=(2000, len(cand)))
    ratios = np.median(cand[rows], axis=1) / np.median(base[rows], axis=1)
    return float(np.quantile(ratios, 0.025)), float(np.quantile(ratios, 0.975))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=400)
    args = parser.parse_args()
    print("n  range covers median  percentile bootstrap  autointel.stats (infinite below 6)")
    for n in (3, 4, 5, 6, 8, 12):
        rng = np.random.default_rng(n)
        plain = ours = 0
        for rep in range(args.reps):
            block = np.exp(0.3 * rng.standard_normal(n))
            base = 10.0 * block * np.exp(0.1 * rng.standard_normal(n))
            cand = 10.0 * TRUE_RATIO * block * np.exp(0.1 * rng.standard_normal(n))
            low, high = percentile_bootstrap(cand, base, rng)
            plain += low <= TRUE_RATIO <= high
            _, low, high = ratio_of_medians_ci(cand, base, 0.95, 2000, rep, paired=True)
            ours += low <= TRUE_RATIO <= high  # below 6 runs the CI is (0, inf)
        print(f"{n:<2} {1 - 2 * 0.5**n:>19.3f}  {plain / args.reps:>20.3f}  {ours / args.reps:>15.3f}")


if __name__ == "__main__":
    main()
