"""Batch throughput at 1 and 2 workers on this machine, and where the time goes (decode, models, the store owner).

Usage: nox -s experiment -- batch_scaling [--rounds N] [--out DIR]
Each round runs `autointel batch` in a fresh process and a fresh data dir over the same six public and fixture
recordings, once with each worker count (the order alternates between rounds). Throughput is media minutes per wall
minute of the whole command (Ray start and model loading included) and of its steady part (after startup). The
figures in docs/scale.md come from this script; it prints their table and writes every batch's index beside it.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [ROOT / "fixtures" / "media" / n for n in ("city_transit.mp3", "energy_policy.mp4", "health_diet.wav")]
SOURCES += [ROOT / "datasets" / "speech" / n for n in ("jfk.flac", "english.wav", "hotwords.mp3")]
WORKERS = (1, 2)


def run_batch(workers: int, data_dir: Path) -> dict[str, Any]:
    command = [sys.executable, "-m", "autointel.cli", "batch", *map(str, SOURCES), "--workers", str(workers),
               "--data-dir", str(data_dir)]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    index = json.loads((data_dir / "batch" / "index.json").read_text(encoding="utf-8"))
    if done.returncode != 0:
        raise SystemExit(f"batch with {workers} workers failed ({done.returncode}): {done.stderr[-2000:]}")
    results = [json.loads((data_dir / "batch" / s["result"]).read_text(encoding="utf-8")) for s in index["sources"]]
    return {"workers": workers, "wall_s": wall, "index": index, "decode_s": [_phase(r, "transcription")
                                                                            for r in results]}


def _phase(result: dict[str, Any], name: str) -> float:
    return float(next((p["wall_s"] for p in result["phases"] if p["name"] == name), 0.0))


def summarise(run: dict[str, Any]) -> dict[str, float]:
    index, sources = run["index"], run["index"]["sources"]
    media_min = sum(s["media_s"] for s in sources) / 60
    steady = run["wall_s"] - index["startup_s"]
    return {
        "wall_s": run["wall_s"],
        "startup_s": index["startup_s"],
        "model_load_s": statistics.mean(index["worker_load_s"]),
        "throughput": media_min / (run["wall_s"] / 60),
        "steady_throughput": media_min / (steady / 60),
        "source_latency_s": statistics.median(s["wall_s"] for s in sources),
        "long_latency_s": max(sources, key=lambda s: s["media_s"])["wall_s"],
        "decode_share": sum(run["decode_s"]) / sum(s["wall_s"] for s in sources),
        "owner_busy_s": index["owner"]["busy_s"],
        "owner_queued_s": sum(s["store"]["queued_s"] for s in sources),
        "owner_overlapping": index["owner"]["overlapping"],
        "media_min": media_min,
    }


def table(by_workers: dict[int, list[dict[str, float]]]) -> str:
    def cell(key: str, w: int, fmt: str) -> str:
        values = [r[key] for r in by_workers[w]]
        return f"{statistics.median(values):{fmt}} [{min(values):{fmt}}, {max(values):{fmt}}]"

    rows = [("batch wall s", "wall_s", ".1f"), ("startup s (Ray, stores, models)", "startup_s", ".1f"),
            ("model load s per worker", "model_load_s", ".1f"),
            ("throughput, media min / wall min", "throughput", ".2f"),
            ("steady throughput (after startup)", "steady_throughput", ".2f"),
            ("per-source latency s (median)", "source_latency_s", ".1f"),
            ("latency of the longest source (80 s talk) s", "long_latency_s", ".1f"),
            ("share of source time decoding", "decode_share", ".2f"),
            ("store owner busy s", "owner_busy_s", ".2f"), ("queued for the owner s (sum)", "owner_queued_s", ".2f")]
    lines = ["| median [min, max] | " + " | ".join(f"{w} worker(s)" for w in WORKERS) + " |",
             "|---|" + "---|" * len(WORKERS)]
    lines += [f"| {label} | " + " | ".join(cell(key, w, fmt) for w in WORKERS) + " |" for label, key, fmt in rows]
    one = statistics.median(r["steady_throughput"] for r in by_workers[1])
    two = statistics.median(r["steady_throughput"] for r in by_workers[2])
    whole = statistics.median(r["throughput"] for r in by_workers[2]) / \
        statistics.median(r["throughput"] for r in by_workers[1])
    lines += ["", f"scaling efficiency at 2 workers (steady throughput / (2 x one worker's)): {two / (2 * one):.2f}; "
                  f"whole-command speed-up {whole:.2f}x"]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--out", type=Path, default=ROOT / "reports" / "batch-scaling")
    parser.add_argument("--table-only", action="store_true", help="re-render the table from --out's round files")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    by_workers: dict[int, list[dict[str, float]]] = {w: [] for w in WORKERS}
    if args.table_only:
        for path in sorted(args.out.glob("round*-w*.json")):
            run = json.loads(path.read_text(encoding="utf-8"))
            by_workers[int(run["workers"])].append(summarise(run))
        print(table(by_workers))
        return
    for round_no in range(args.rounds):
        order = WORKERS if round_no % 2 == 0 else tuple(reversed(WORKERS))
        for workers in order:
            with tempfile.TemporaryDirectory(prefix="autointel-batch-") as folder:
                run = run_batch(workers, Path(folder))
            (args.out / f"round{round_no}-w{workers}.json").write_text(json.dumps(run, indent=1), encoding="utf-8")
            by_workers[workers].append(summarise(run))
            print(f"round {round_no} workers {workers}: {by_workers[workers][-1]}", flush=True)
    text = table(by_workers)
    (args.out / "summary.md").write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
