"""What the local LLM adds, measured on public labelled data: its verdicts beside the trained checker's, and its
review of the fallacy detector's flags.

    python -m autointel.evaluation.llm_quality [--split test] [--claims N] [--fallacies N] [--base-url URL]

Verdicts: each claim of `datasets/factcheck_claims` is checked as `autointel eval claims` checks it (retrieval from
the split's whole evidence corpus), then the model reads the same retrieved evidence (`phases.writing.verdicts`).
Review: the detector runs over `datasets/reddit_fallacies` and `datasets/neutral_sentences`; each sentence it flags
is reviewed (`phases.writing.fallacy_review`), and precision is compared before and after dropping the rejected.
"""

from __future__ import annotations

import argparse
import tempfile
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from autointel.evaluation.records import NO_FALLACY, ClaimRecord, FallacyRecord, read_records
from autointel.llm.chat import Chat, ChatError, parse_object
from autointel.memory.embeddings import Embedder
from autointel.model import Fallacy
from autointel.phases.writing import Ask, read_verdict
from autointel.phases.writing.fallacy_review import check_candidate

DATASETS = Path(__file__).resolve().parents[3] / "datasets"


def _records(name: str, split: str, kind: str, limit: int) -> list[object]:
    from autointel.phases.analysis.fallacies import FALLACY_TYPES

    parsed = read_records(kind, DATASETS / name / f"{split}.jsonl", FALLACY_TYPES)  # type: ignore[arg-type]
    step = max(1, len(parsed.records) // max(limit, 1))  # evenly spaced: the files are grouped by source
    return list(parsed.records[::step][:limit])


def verdicts(chat: Chat, records: Sequence[ClaimRecord], embedder: Embedder) -> list[str]:
    from autointel.evaluation.runners import check_records

    checked = check_records(records, embedder)
    ask, reasons = _asker(chat)
    rows = []  # (gold, checker, LLM or None)
    for index, (record, claim) in enumerate(zip(records, checked, strict=True)):
        reading = None
        if claim.evidence:
            try:
                reading = read_verdict(ask, index, claim).verdict.value
            except ChatError as exc:
                reasons[str(exc)] += 1
        else:
            reasons["no evidence retrieved"] += 1
        rows.append((record.label, claim.verdict.value, reading))
    answered = [r for r in rows if r[2] is not None]
    label, count = Counter(r[0] for r in rows).most_common(1)[0]
    agreement = sum(r[1] == r[2] for r in answered) / max(len(answered), 1)
    return [f"claims: {len(rows)}, {len(answered)} with a valid LLM reading",
            f"  majority class {label}: {count / len(rows):.3f}; checker accuracy on all: {_accuracy(rows, 1):.3f}",
            f"  on the {len(answered)} the LLM answered: checker {_accuracy(answered, 1):.3f}, "
            f"LLM {_accuracy(answered, 2):.3f}, agreement {agreement:.3f}",
            f"  LLM labels: {dict(Counter(r[2] for r in answered))}; "
            f"gold there: {dict(Counter(r[0] for r in answered))}",
            f"  no valid reading: {dict(reasons)}"]


def _asker(chat: Chat) -> tuple[Ask, Counter[str]]:
    def ask(system: str, user: str, schema: Mapping[str, Any], max_tokens: int) -> dict[str, Any]:
        return parse_object(chat.complete(system, user, schema, max_tokens).text)

    return ask, Counter()


def _accuracy(rows: Sequence[tuple[str, str, str | None]], column: int) -> float:
    return sum(r[0] == r[column] for r in rows) / max(len(rows), 1)


def review(chat: Chat, records: Sequence[FallacyRecord], embedder: Embedder) -> list[str]:
    from autointel.phases.analysis.fallacies import FallacyDetector
    from autointel.phases.text import Sentence

    detector = FallacyDetector(embedder)
    ask, reasons = _asker(chat)
    flagged: list[tuple[FallacyRecord, Fallacy, bool | None]] = []
    for record in records:
        for fallacy in detector.detect([Sentence(record.text, 0.0, 0.0)])[:1]:
            keep = None
            try:
                keep = check_candidate(ask, fallacy)
            except ChatError as exc:
                reasons[str(exc)] += 1
            flagged.append((record, fallacy, keep))
    decided = [f for f in flagged if f[2] is not None]
    kept = [f for f in decided if f[2]]
    fallacious = sum(r.label != NO_FALLACY for r in records)

    def precision(rows: Sequence[tuple[FallacyRecord, Fallacy, bool | None]]) -> float:
        return sum(r.label != NO_FALLACY for r, _, _ in rows) / max(len(rows), 1)

    def typed(rows: Sequence[tuple[FallacyRecord, Fallacy, bool | None]]) -> float:
        return sum(r.label == f.type for r, f, _ in rows) / max(len(rows), 1)

    return [f"fallacy samples: {len(records)} ({fallacious} fallacious); flagged {len(flagged)}, reviewed "
            f"{len(decided)}, confirmed {len(kept)}",
            f"  precision of the flags (fallacious at all): detector {precision(decided):.3f}, after the review "
            f"{precision(kept):.3f}; right type: {typed(decided):.3f} -> {typed(kept):.3f}",
            f"  fallacious samples still flagged: {sum(r.label != NO_FALLACY for r, _, _ in decided)} -> "
            f"{sum(r.label != NO_FALLACY for r, _, _ in kept)}; neutral flags: "
            f"{sum(r.label == NO_FALLACY for r, _, _ in decided)} -> {sum(r.label == NO_FALLACY for r, _, _ in kept)}",
            f"  no valid decision: {dict(reasons)}"]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autointel.evaluation.llm_quality", description=__doc__)
    parser.add_argument("--split", default="test", choices=("dev", "test"))
    parser.add_argument("--claims", type=int, default=400)
    parser.add_argument("--fallacies", type=int, default=400, help="from each of the two fallacy sets")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per call (default 600)")
    parser.add_argument("--base-url", default=None, help="a running server (autointel llm serve); default: start one")
    args = parser.parse_args(argv)
    from autointel.llm.local import open_local
    from autointel.memory.embeddings import CachingEmbedder, MiniLMEmbedder

    embedder = CachingEmbedder(MiniLMEmbedder())
    # a generous call timeout: a timed-out call ends the model's calls for good, as in a run
    local = open_local(args.base_url, args.timeout, 0, Path(tempfile.mkdtemp(prefix="autointel-llm-")))
    chat = local.chat
    try:
        claims = _records("factcheck_claims", args.split, "claims", args.claims)
        for line in verdicts(chat, claims, embedder):  # type: ignore[arg-type]
            print(line, flush=True)
        samples = (_records("reddit_fallacies", args.split, "fallacies", args.fallacies)
                   + _records("neutral_sentences", args.split, "fallacies", args.fallacies))
        for line in review(chat, samples, embedder):  # type: ignore[arg-type]
            print(line, flush=True)
    finally:
        local.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
