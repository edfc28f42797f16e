"""`nox -s quality`: run every quality measurement and write docs/quality.md (the edge: argument parsing, the
commit it ran on, rendering)."""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from autointel.evaluation.quality import ROOT, QualityReport, bundled_sets, fixture_scores, judge_sets
from autointel.evaluation.transcripts import evaluate_all


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autointel.quality_cli")
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "quality.md")
    parser.add_argument("--no-audio", action="store_true",
                        help="skip the fixture talks and the recordings (no speech recognition)")
    args = parser.parse_args(argv)
    from autointel.memory.embeddings import CachingEmbedder, MiniLMEmbedder
    from autointel.rendering.quality import quality_markdown

    goals, claim_details = judge_sets(bundled_sets(), CachingEmbedder(MiniLMEmbedder()))
    audio = not args.no_audio
    report = QualityReport(_commit(), dt.date.today().isoformat(), goals, fixture_scores() if audio else None,
                           evaluate_all() if audio else (), claim_details)
    text = quality_markdown(report)
    args.output.write_text(text, encoding="utf-8")
    print(text)
    return 1 if any(g.verdict == "fail" for g in goals) else 0


def _commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                             check=True, timeout=10)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return out.stdout.strip() + ("+dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


if __name__ == "__main__":
    sys.exit(main())
