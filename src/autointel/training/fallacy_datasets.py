"""Build the bundled fallacy and neutral-sentence datasets from local snapshots of their public sources.

Kept as code so the sampling and the seeded split can be re-run and audited; the snapshots are git
directories (read with `git show`), and nothing is fetched at run time.
"""

from __future__ import annotations

import argparse
import csv
import html
import io
import json
import random
import re
import subprocess
from collections.abc import Iterable, Sequence
from pathlib import Path

from autointel.memory.chunking import split_sentences

SEED = 27
SPLITS = (("train", 0.7), ("dev", 0.15), ("test", 0.15))
ARGOTARIO_LABELS = {
    "Ad Hominem": "ad_hominem", "Appeal to Emotion": "appeal_to_emotion", "Red Herring": "red_herring",
    "Irrelevant Authority": "appeal_to_authority", "Hasty Generalization": "hasty_generalization",
    "No Fallacy": "none",
}
REDDIT_LABELS = {
    "authority": "appeal_to_authority", "blackwhite": "false_dilemma", "hasty_generalization": "hasty_generalization",
    "natural": "appeal_to_nature", "population": "bandwagon", "slippery_slope": "slippery_slope",
    "tradition": "appeal_to_tradition", "worse_problems": "appeal_to_worse_problems",
}
REDDIT_NONE_PER_FILE = 110  # negative comments per source file that join the fallacy set as "none"
NEUTRAL_REDDIT_PER_FILE = 60  # further negative comments per file whose sentences join the neutral set
NEUTRAL_NEWS_ARTICLES = 40  # news articles whose sentences join the neutral set
MAX_SAMPLE_CHARS = 500
Row = dict[str, str]


def git_show(repo: Path, path: str) -> str:
    """One file of a snapshot's HEAD."""
    out = subprocess.run(["git", "--git-dir", str(repo), "show", f"HEAD:{path}"], capture_output=True,
                         text=True, check=True)
    return out.stdout


def clean(text: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


def clip(text: str) -> str:
    """Whole sentences up to MAX_SAMPLE_CHARS, so long comments do not dominate."""
    kept: list[str] = []
    for sentence in split_sentences(text):
        if kept and len(" ".join([*kept, sentence])) > MAX_SAMPLE_CHARS:
            break
        kept.append(sentence)
    return " ".join(kept)


def argotario(repo: Path) -> list[Row]:
    """English arguments; rows whose crowd vote names a different fallacy than the author intended are dropped."""
    reader = csv.DictReader(io.StringIO(git_show(repo, "data/arguments-en-2018-01-15.tsv")), delimiter="\t")
    rows: list[Row] = []
    for r in reader:
        intended, voted, text = r["Intended Fallacy"], r["Voted Fallacy"], clean(r["Text"] or "")
        if intended in ARGOTARIO_LABELS and voted in ("-", intended) and len(text.split()) >= 3:
            rows.append({"text": text, "label": ARGOTARIO_LABELS[intended]})
    return rows


def reddit_csv(repo: Path, kind: str, part: str) -> list[Row]:
    raw = git_show(repo, f"data/raw/{kind}/{kind}_{part}.csv")
    delimiter = "\t" if part == "negative-samples" else ","
    return list(csv.DictReader(io.StringIO(raw), delimiter=delimiter))


def reddit(repo: Path) -> tuple[list[Row], list[str]]:
    """Crowd-confirmed fallacious spans, plus negative comments: some as "none" samples, the rest as neutral text."""
    rows: list[Row] = []
    neutral: list[str] = []
    for kind, label in REDDIT_LABELS.items():
        for r in reddit_csv(repo, kind, "annotated"):
            span = clean(r.get("fallacy_highlighted") or "") or clean(r.get("parent") or "")
            if r.get("fallacy_exists") == "1" and len(span.split()) >= 3:
                rows.append({"text": clip(span), "label": label})
        negatives = sorted({clean(r.get("parent") or "") for r in reddit_csv(repo, kind, "negative-samples")})
        negatives = [n for n in negatives if len(n.split()) >= 3 and n.lower() != "none"]
        random.Random(f"{SEED}:{kind}").shuffle(negatives)
        rows += [{"text": clip(n), "label": "none"} for n in negatives[:REDDIT_NONE_PER_FILE]]
        neutral += negatives[REDDIT_NONE_PER_FILE:REDDIT_NONE_PER_FILE + NEUTRAL_REDDIT_PER_FILE]
    return rows, neutral


def news_paragraphs(repo: Path) -> list[str]:
    """Article bodies (Global Voices, CC BY 3.0) carried in the CoCoLoFa dev/test files; comments are not used."""
    articles: list[tuple[str, str]] = []
    for name in ("dev.json", "test.json"):
        articles += [(a["link"], a["content"]) for a in json.loads(git_show(repo, name))]
    articles.sort()
    random.Random(f"{SEED}:news").shuffle(articles)
    out: list[str] = []
    for _, body in articles[:NEUTRAL_NEWS_ARTICLES]:
        out += [clean(re.sub(r"<[^>]+>", " ", p)) for p in re.findall(r"<p>(.*?)</p>", body, flags=re.S)]
    return out


def sentences_of(texts: Iterable[str]) -> list[str]:
    """Unique sentences of 5 to 60 words (shorter ones are fragments, longer ones run-ons)."""
    seen: dict[str, None] = {}
    for text in texts:
        for s in split_sentences(text):
            if 5 <= len(s.split()) <= 60 and s[-1] in ".!?\"'\u201d":
                seen.setdefault(s, None)
    return list(seen)


def split(rows: Sequence[Row]) -> dict[str, list[Row]]:
    """Stratified seeded split by label; duplicates of a text stay together (first label wins)."""
    unique: dict[str, Row] = {}
    for r in rows:
        unique.setdefault(r["text"], r)
    out: dict[str, list[Row]] = {name: [] for name, _ in SPLITS}
    for label in sorted({r["label"] for r in unique.values()}):
        group = sorted((r for r in unique.values() if r["label"] == label), key=lambda r: r["text"])
        random.Random(f"{SEED}:{label}").shuffle(group)
        cut1 = round(len(group) * SPLITS[0][1])
        cut2 = cut1 + round(len(group) * SPLITS[1][1])
        out["train"] += group[:cut1]
        out["dev"] += group[cut1:cut2]
        out["test"] += group[cut2:]
    return out


def write(folder: Path, rows: Sequence[Row]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, part in split(rows).items():
        lines = [json.dumps(r, ensure_ascii=False) for r in part]
        (folder / f"{name}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(folder.name, name, len(part))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--argotario", type=Path, required=True, help="git dir of UKPLab/argotario")
    parser.add_argument("--reddit", type=Path, required=True, help="git dir of sahaisaumya/informal_fallacies")
    parser.add_argument("--news", type=Path, required=True, help="git dir holding the Global Voices articles")
    parser.add_argument("--out", type=Path, default=Path("datasets"))
    args = parser.parse_args()
    write(args.out / "argotario_fallacies", argotario(args.argotario))
    reddit_rows, reddit_neutral = reddit(args.reddit)
    write(args.out / "reddit_fallacies", reddit_rows)
    neutral = sentences_of(reddit_neutral) + sentences_of(news_paragraphs(args.news))
    write(args.out / "neutral_sentences", [{"text": s, "label": "none"} for s in neutral])


if __name__ == "__main__":
    main()
