"""How much a thread that only wakes every 5 ms changes one orchestrator run's wall time on this machine.

Usage: nox -s experiment -- idle_ticker [ROUNDS]   (default 40)

Why: G8.1 times a recorded run against an unrecorded one, and in the 120-round overhead session the
tracemalloc mode (whose heap sampler wakes every 5 ms) came out 3% faster than no recording at all, which
instrumentation cannot do by its own work. This isolates the sampler's wake-ups: each round runs, in a seeded
random order, the overhead bench's call (30 s clip, standard depth, instant profile, pipeline engine, fresh
stores, models loaded once) plain, and with an idle thread waking every `HEAP_INTERVAL_S`. Printed: each mode's
median and the median of the per-round ratios to the plain run.
"""

from __future__ import annotations

import gc
import random
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from benchmarks.media import assemble_talk  # noqa: E402

from autointel.bench.autointel_pipeline import TargetRef  # noqa: E402
from autointel.bench.heap import HEAP_INTERVAL_S  # noqa: E402
from autointel.engines.resources import Resources  # noqa: E402
from autointel.settings import Depth, load_settings  # noqa: E402


def with_ticker(call: Callable[[], object], interval_s: float) -> Callable[[], None]:
    def run() -> None:
        stop = threading.Event()

        def tick() -> None:
            while not stop.wait(interval_s):
                pass

        ticker = threading.Thread(target=tick, daemon=True)
        ticker.start()
        try:
            call()
        finally:
            stop.set()
            ticker.join()
    return run


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    work = Path(tempfile.mkdtemp(prefix="idle-ticker-"))
    media = str(assemble_talk(0.5, work / "clip.wav"))
    settings = load_settings({}, depth=Depth.STANDARD, data_dir=work / "data", engine="pipeline")
    target = TargetRef("autointel.bench.targets:fresh_store_run").load()
    with Resources(load_settings({}, data_dir=work / "models")) as models:
        models.load_models()

        def plain() -> None:
            target(media, settings, models)

        calls = {"plain": plain, f"ticker every {HEAP_INTERVAL_S * 1000:g} ms": with_ticker(plain, HEAP_INTERVAL_S)}
        values: dict[str, list[float]] = {name: [] for name in calls}
        rng = random.Random(2)
        for round_no in range(rounds + 1):  # round 0 warms up
            order = list(calls)
            rng.shuffle(order)
            for name in order:
                gc.collect()
                start = time.perf_counter()
                calls[name]()
                if round_no:
                    values[name].append(time.perf_counter() - start)
    base = values["plain"]
    for name, found in values.items():
        ratio = statistics.median(a / b for a, b in zip(found, base, strict=True))
        print(f"{name:22s} median {statistics.median(found):.4f} s  per-round ratio to plain {ratio:.4f}")


if __name__ == "__main__":
    main()
