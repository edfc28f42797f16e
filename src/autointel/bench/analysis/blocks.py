"""Which runs of two cells pair up: the bench's blocked design, made usable by the statistics.

Every iteration of a session runs each cell once, with one LLM latency seed for all of them
(`BenchSession.llm_seed`) and in one stretch of machine time, so an iteration is a block: its cells share
the draws that dominate the run-to-run noise. Two cells are compared block by block only when they have
a counted run in exactly the same iterations; a block with a failed or invalid run on one side would
otherwise have to be dropped, and the medians would no longer be the cells' medians.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from autointel.model.run_sample import RunSample

Keyed = list[tuple[int, float]]  # (iteration, value), in iteration order


def keyed(runs: Iterable[RunSample], value: Callable[[RunSample], float | None]) -> Keyed:
    """Each run's value by its iteration; runs without the value are left out."""
    found = ((s.iteration, value(s)) for s in runs)
    return sorted(((i, float(v)) for i, v in found if v is not None), key=lambda x: x[0])


def aligned(a: Sequence[tuple[int, float]], b: Sequence[tuple[int, float]]) -> bool:
    """Both sides hold one value for each of the same >= 2 iterations: value i of one pairs with value i of
    the other."""
    left, right = [i for i, _ in a], [i for i, _ in b]
    return len(left) >= 2 and left == right and len(set(left)) == len(left)


def values(xs: Keyed) -> list[float]:
    return [v for _, v in xs]
