"""Quality of the orchestrator on the labelled fixtures, through the real pipeline (real ASR transcripts).

Usage: python scripts/quality.py
Prints WER per talk, fallacy precision/recall and claim-verdict accuracy over all talks: the figures
that tests/test_pipeline.py bounds (WER <= 0.25, each of the others >= 0.6).
"""

from __future__ import annotations

import functools
import json
import tempfile
from pathlib import Path

from autointel.engines import run_engine
from autointel.engines.resources import Resources
from autointel.phases.evaluation import claim_matches, fallacy_counts, word_error_rate
from autointel.settings import Depth, load_settings

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    talks = json.loads((ROOT / "fixtures" / "labels.json").read_text())["talks"]
    with tempfile.TemporaryDirectory() as data:
        settings = load_settings({}, depth=Depth.COMPREHENSIVE, engine="pipeline", data_dir=Path(data),
                                 evidence_dir=ROOT / "fixtures" / "evidence")
        with Resources(settings) as resources:
            runs = {stem: run_engine(str(ROOT / talk["media"][0]), settings, resources) for stem, talk in talks.items()}
    counts, correct, total = [], 0, 0
    for stem, result in runs.items():
        script = (ROOT / talks[stem]["script"]).read_text()
        text = result.transcript.text if result.transcript else ""
        print(f"{stem:<15} WER {word_error_rate(script, text):.3f}")
        counts.append(fallacy_counts(result.analysis.fallacies if result.analysis else (), talks[stem]["fallacies"]))
        pairs = claim_matches(result.verification.claims if result.verification else (), talks[stem]["claims"])
        correct += sum(1 for label, c in pairs if c is not None and c.verdict.value == label["verdict"])
        total += len(pairs)
    summed = functools.reduce(lambda a, b: a + b, counts)
    print(f"fallacies: precision {summed.precision:.2f}, recall {summed.recall:.2f}")
    print(f"claims: {correct}/{total} verdicts right ({correct / total:.2f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
