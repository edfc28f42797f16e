"""The benchmark harness: measure runs honestly, schedule them, and hand the numbers to `autointel.stats`.

Layers: `measure` runs one sample (in process or in a fresh worker process), `schedule` decides the
order, `session` drives a schedule, persists every sample as it finishes and asks `autointel.stats`
for every verdict; `plugin` wires it into pytest (and pytest-benchmark). Nothing here computes a
statistic itself.

This package file stays import-light on purpose: the pytest plugin is loaded by every pytest run,
so scipy (via `autointel.stats`) and the engines are imported only where a benchmark really runs.
Import `autointel.bench.session.BenchSession` and `autointel.bench.measure.measure_run` directly.
"""

from autointel.bench.options import BenchOptions, parse_combos
from autointel.bench.samples import RunSample, load_samples, sample_from_dict, sample_to_dict
from autointel.bench.schedule import Cell, Slot, build_schedule

__all__ = [
    "BenchOptions",
    "Cell",
    "RunSample",
    "Slot",
    "build_schedule",
    "load_samples",
    "parse_combos",
    "sample_from_dict",
    "sample_to_dict",
]
