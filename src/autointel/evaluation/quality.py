"""The quality report's parts: every issue-27 goal on the bundled public test splits, the fixture talks through
the real pipeline, and the transcript warnings on real recordings (`nox -s quality`, `autointel.quality_cli`).

The bundled sets are listed in `datasets/index.json` (name, kind, role, test file).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from autointel.evaluation.goals import GOALS, GoalResult, Role, judge
from autointel.evaluation.metrics import ClaimMetrics
from autointel.evaluation.records import KINDS, Kind
from autointel.evaluation.report import Scored, score_file
from autointel.evaluation.transcripts import Row
from autointel.memory.embeddings import Embedder

ROOT = Path(__file__).resolve().parents[3]
INDEX = ROOT / "datasets" / "index.json"


@dataclass(frozen=True)
class BundledSet:
    name: str
    kind: Kind
    role: Role
    test: Path


@dataclass(frozen=True)
class FixtureScores:
    """The project's own hand-labelled talks: checks for the tests, not evidence of quality."""

    wer: dict[str, float]
    fallacy_precision: float
    fallacy_recall: float
    verdicts_right: int
    verdicts_total: int


@dataclass(frozen=True)
class QualityReport:
    commit: str
    date: str
    goals: tuple[GoalResult, ...]
    fixtures: FixtureScores | None
    recordings: tuple[Row, ...]  # transcript-quality warnings on real recordings (datasets/speech)
    claim_details: tuple[tuple[str, ClaimMetrics], ...] = ()  # per claim set: accuracy beside its calibration


def bundled_sets(index: Path = INDEX) -> tuple[BundledSet, ...]:
    rows = json.loads(index.read_text(encoding="utf-8"))
    out: list[BundledSet] = []
    for row in rows:
        kind = row["kind"]
        if kind not in KINDS or row["role"] not in ("labelled", "neutral"):
            raise ValueError(f"{index}: bad kind or role in {row}")
        out.append(BundledSet(row["name"], kind, row["role"], index.parent / row["test"]))
    return tuple(out)


def judge_sets(sets: Sequence[BundledSet], embedder: Embedder
               ) -> tuple[tuple[GoalResult, ...], tuple[tuple[str, ClaimMetrics], ...]]:
    """Every goal judged on its sets, and the full metrics of each claim set (calibration is not a goal row)."""
    results: list[GoalResult] = []
    details: list[tuple[str, ClaimMetrics]] = []
    for bundled in sets:
        scored: Scored = score_file(bundled.kind, bundled.test, embedder)
        results += [judge(goal, bundled.name, scored) for goal in GOALS
                    if goal.kind == bundled.kind and goal.role == bundled.role]
        metrics = scored.metrics()
        if isinstance(metrics, ClaimMetrics):
            details.append((bundled.name, metrics))
    return tuple(results), tuple(details)


def fixture_scores() -> FixtureScores:
    """The labelled fixture talks through the pipeline engine (real ASR), scored against fixtures/labels.json."""
    import functools
    import tempfile

    from autointel.engines import run_engine
    from autointel.engines.resources import Resources
    from autointel.phases.evaluation import claim_matches, fallacy_counts, word_error_rate
    from autointel.settings import Depth, load_settings

    talks = json.loads((ROOT / "fixtures" / "labels.json").read_text())["talks"]
    with tempfile.TemporaryDirectory() as data:
        settings = load_settings({}, depth=Depth.COMPREHENSIVE, engine="pipeline", data_dir=Path(data),
                                 evidence_dir=ROOT / "fixtures" / "evidence")
        with Resources(settings) as resources:
            runs = {stem: run_engine(str(ROOT / t["media"][0]), settings, resources) for stem, t in talks.items()}
    wer, counts, right, total = {}, [], 0, 0
    for stem, result in sorted(runs.items()):
        wer[stem] = word_error_rate((ROOT / talks[stem]["script"]).read_text(),
                                    result.transcript.text if result.transcript else "")
        counts.append(fallacy_counts(result.analysis.fallacies if result.analysis else (), talks[stem]["fallacies"]))
        pairs = claim_matches(result.verification.claims if result.verification else (), talks[stem]["claims"])
        right += sum(1 for label, c in pairs if c is not None and c.verdict.value == label["verdict"])
        total += len(pairs)
    summed = functools.reduce(lambda a, b: a + b, counts)
    return FixtureScores(wer, summed.precision, summed.recall, right, total)
