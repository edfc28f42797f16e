"""Build `datasets/factcheck_claims`: public claims with Wikipedia evidence, in the claims JSONL format.

A hundred test claims give a confidence interval too wide to judge a checker by, so three public sets are
pooled: FEVER claims (three labels; an unverifiable claim brings no evidence of its own and must be judged
against the rest of the corpus), Fool Me Twice claims (written to mislead, with the evidence their writers
picked) and the VitaminC sample already bundled (whose split is kept). Sampling is seeded and stratified.

    python -m autointel.training.claims_data SOURCES
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from autointel.training import nli_data as data

SEED = 27
ROOT = Path(__file__).resolve().parents[3]
OUT = ROOT / "datasets" / "factcheck_claims"
VITAMINC = ROOT / "datasets" / "vitaminc_sample"
PER_LABEL = {"fever": 300, "fm2": 300}
SHARES = (("train", 0.3), ("dev", 0.2), ("test", 0.5))
VERDICT = {"SUPPORTS": "supported", "REFUTES": "contradicted", "NOT ENOUGH INFO": "unverifiable"}

Row = dict[str, object]


def fever_rows(sources: Path) -> list[Row]:
    claims = data.fever_claims(sources / "GGKorn+fever-nli" / "repo", data.FEVER_HELDOUT_COMMIT,
                               data.FEVER_HELDOUT[0])
    unique = {c.claim: c for c in sorted(claims, key=lambda c: c.id)}
    return [{"claim": c.claim, "evidence": list(c.evidence), "label": VERDICT[c.label], "id": f"fever-{c.id}",
             "source": "fever"} for c in unique.values()]


def fm2_rows(sources: Path) -> list[Row]:
    rows = data.fm2_rows(sources / "google-research+fool-me-twice" / "repo", "test")
    return [{"claim": str(r["text"]).strip(), "label": VERDICT[str(r["label"])], "id": f"fm2-{r['id']}",
             "evidence": [str(e["text"]) for e in r["gold_evidence"]], "source": "fm2"}  # type: ignore[attr-defined]
            for r in rows]


def sample_and_split(rows: Sequence[Row], per_label: int, rng: random.Random) -> dict[str, list[Row]]:
    """`per_label` rows of each label, each label's rows cut by SHARES."""
    out: dict[str, list[Row]] = {name: [] for name, _ in SHARES}
    for label in sorted({str(r["label"]) for r in rows}):
        group = sorted((r for r in rows if r["label"] == label), key=lambda r: str(r["id"]))
        rng.shuffle(group)
        group = group[:per_label]
        lo = 0
        for name, share in SHARES:
            hi = lo + round(share * len(group))
            out[name] += group[lo:hi]
            lo = hi
    return out


def build(sources: Path, out: Path = OUT) -> dict[str, dict[str, int]]:
    rng = random.Random(SEED)
    splits: dict[str, list[Row]] = {name: [] for name, _ in SHARES}
    for name, rows in (("fever", fever_rows(sources)), ("fm2", fm2_rows(sources))):
        for split, items in sample_and_split(rows, PER_LABEL[name], rng).items():
            splits[split] += items
    for split in splits:
        for line in (VITAMINC / f"{split}.jsonl").read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            splits[split].append({**row, "id": f"vitaminc-{row['id']}", "source": "vitaminc"})
    out.mkdir(parents=True, exist_ok=True)
    counts: dict[str, dict[str, int]] = {}
    for split, items in splits.items():
        items.sort(key=lambda r: str(r["id"]))
        (out / f"{split}.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in items),
                                            encoding="utf-8")
        counts[split] = dict(Counter(f"{r['source']}:{r['label']}" for r in items)) | {"total": len(items)}
    return counts


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m autointel.training.claims_data", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sources", type=Path, help="folder holding owner+name/repo git copies of the sources")
    json.dump(build(parser.parse_args(argv).sources), sys.stdout, indent=1)


if __name__ == "__main__":
    main()
