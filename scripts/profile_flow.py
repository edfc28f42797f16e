"""Run the flow engine on a fixture talk (city_transit) N times in one process, for a sampling profiler to watch.

The README's G2 finding (where CrewAI's per-task cost goes) comes from:

    pip install py-spy
    py-spy record --threads -r 200 -o flow.svg -- python scripts/profile_flow.py 8

Instant LLM profile, comprehensive depth, the sequential baseline, one warm-up run before the N that count.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from autointel.engines import run_engine
from autointel.engines.resources import Resources
from autointel.settings import Depth, load_settings

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 8
    media = ROOT / "fixtures" / "media" / "city_transit.mp3"
    with tempfile.TemporaryDirectory() as data:
        settings = load_settings({}, depth=Depth.COMPREHENSIVE, data_dir=Path(data),
                                 evidence_dir=ROOT / "fixtures" / "evidence", engine="flow")
        with Resources(settings) as shared:
            for _ in range(runs + 1):
                result = run_engine(str(media), settings, shared)
                print(result.status.value, file=sys.stderr)


if __name__ == "__main__":
    main()
