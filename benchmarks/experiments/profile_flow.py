"""Run the flow engine on a fixture talk (city_transit) N times in one process, for a profiler to watch.

The README's G2 finding (where CrewAI's per-task cost goes) comes from:

    pip install py-spy
    py-spy record --threads -r 200 -o flow.svg -- python benchmarks/experiments/profile_flow.py 8

Instant LLM profile, comprehensive depth, the sequential baseline, one warm-up run before the N that count.
`--widest` runs the all-flags DAG at experimental depth instead (the streaming followers of G2.1's worst
combination). `--calls` needs no py-spy: it counts, per CrewAI task, the calls that make up CrewAI's
per-task machinery (fresh asyncio event loops, thread-pool submits, flow listener scans) in every thread,
with cProfile timing each thread's CPU (its own overhead inflates the times, not the counts).
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import pstats
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from autointel.engines import run_engine
from autointel.engines.resources import Resources
from autointel.settings import Depth, Flags, load_settings

ROOT = Path(__file__).resolve().parents[2]
# (file name, function) of the calls --calls counts: what every CrewAI task pays.
COUNTED = {
    ("selector_events.py", "_make_self_pipe"): "fresh asyncio event loops",
    ("file_store.py", "_run_sync"): "  of which CrewAI's file-store lookups",
    ("thread.py", "submit"): "thread-pool submits",
    ("__init__.py", "_find_triggered_methods"): "flow listener scans",
    ("agent_executor.py", "invoke"): "agent executions",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="?", type=int, default=8)
    parser.add_argument("--widest", action="store_true", help="all flags, experimental depth")
    parser.add_argument("--calls", action="store_true", help="count CrewAI's per-task calls (cProfile, all threads)")
    args = parser.parse_args()
    media = ROOT / "fixtures" / "media" / "city_transit.mp3"
    profiles: list[cProfile.Profile] = []

    def in_each_thread(frame: Any, event: str, arg: Any) -> None:  # replaced by the profiler on its first event
        profile = cProfile.Profile(time.thread_time)
        profiles.append(profile)
        profile.enable()

    with tempfile.TemporaryDirectory() as data:
        settings = load_settings({}, depth=Depth.EXPERIMENTAL if args.widest else Depth.COMPREHENSIVE,
                                 data_dir=Path(data), evidence_dir=ROOT / "fixtures" / "evidence", engine="flow")
        if args.widest:
            settings = dataclasses.replace(settings, flags=Flags(True, True, True))
        with Resources(settings) as shared:
            run_engine(str(media), settings, shared)  # warm-up: models loaded, imports done
            if args.calls:
                threading.setprofile(in_each_thread)
                in_each_thread(None, "call", None)
            tasks = 0
            for _ in range(args.runs):
                result = run_engine(str(media), settings, shared)
                tasks += len(result.steps)
                print(result.status.value, file=sys.stderr)
            threading.setprofile(None)
    if args.calls:
        report(profiles, tasks)


def report(profiles: list[cProfile.Profile], tasks: int) -> None:
    for profile in profiles:
        profile.disable()
    stats: Any = pstats.Stats(profiles[0])
    for profile in profiles[1:]:
        stats.add(profile)
    found = {label: 0 for label in COUNTED.values()}
    for (path, _, name), (_, calls, *_) in stats.stats.items():
        label = COUNTED.get((Path(path).name, name))
        if label is not None:
            found[label] += calls
    print(f"{tasks} CrewAI tasks; per task:")
    for label, calls in found.items():
        print(f"  {calls / tasks:7.1f}  {label}")


if __name__ == "__main__":
    main()
