"""Public NLI and claim-verification sources, read straight from their git repositories.

The training pairs are large and are rebuilt rather than committed, so every source is named here by
repository, commit and path, and read with `git show` from a local copy of that repository: the same
command on the same commits always yields the same pairs. Labels are the sources' own; the only pairs we
compose are "neutral" ones, a claim set against evidence written for another claim about the same subject.
"""

from __future__ import annotations

import ast
import csv
import io
import json
import random
import re
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

LABELS = ("entailment", "neutral", "contradiction")
VERDICT_OF = {"entailment": "supported", "contradiction": "contradicted", "neutral": "unverifiable"}

FEVER_REPO = "GGKorn/fever-nli"
FEVER_PARTS_COMMIT = "d45d569ea534e18f01ff5f0e0d9500248d413ebb"
FEVER_PARTS = "data/vanilla_wiki_data/unsorted_vanilla_batched_wiki_data/split_wiki_data_{}.csv"
FEVER_HELDOUT_COMMIT = "cc8b3aa"
FEVER_HELDOUT = ("data/vanilla_wiki_data/eval_data_vanilla.csv", "data/vanilla_wiki_data/test_data_vanilla.csv")
SNLI_REPO = "OanaMariaCamburu/e-SNLI"
SNLI_FILES = ("dataset/eSNLI/s1.{}", "dataset/eSNLI/s2.{}", "dataset/eSNLI/labels.{}")
FM2_REPO = "google-research/fool-me-twice"

_PTB = {"-LRB-": "(", "-RRB-": ")", "-LSB-": "[", "-RSB-": "]", "-LCB-": "{", "-RCB-": "}", "``": '"', "''": '"'}
_CAPS = re.compile(r"\b[A-Z][a-zA-Z]+\b")


@dataclass(frozen=True)
class NLIPair:
    premise: str
    hypothesis: str
    label: str
    source: str


@dataclass(frozen=True)
class FeverClaim:
    id: str
    claim: str
    evidence: tuple[str, ...]
    label: str  # SUPPORTS, REFUTES or NOT ENOUGH INFO


def git_text(repo_dir: Path, commit: str, path: str) -> str:
    """One file of one commit of a local repository copy (a bare git dir or a work tree)."""
    out = subprocess.run(["git", f"--git-dir={_git_dir(repo_dir)}", "show", f"{commit}:{path}"],
                         check=True, capture_output=True)
    return out.stdout.decode("utf-8")


def _git_dir(repo_dir: Path) -> Path:
    return repo_dir / ".git" if (repo_dir / ".git").exists() else repo_dir


def clean(text: str) -> str:
    """Undo the Penn-Treebank escapes of the FEVER dump and collapse spaces."""
    for token, char in _PTB.items():
        text = text.replace(token, char)
    return re.sub(r"\s+", " ", text).strip()


def fever_claims(repo_dir: Path, commit: str, path: str) -> list[FeverClaim]:
    """A FEVER csv (id, verifiable, label, claim, evidence as a Python list literal)."""
    rows = csv.DictReader(io.StringIO(git_text(repo_dir, commit, path)))
    names = {"0": "NOT ENOUGH INFO", "1": "SUPPORTS", "2": "REFUTES"}
    out = []
    for row in rows:
        evidence = tuple(dict.fromkeys(clean(s) for s in ast.literal_eval(row["evidence"] or "[]")))
        out.append(FeverClaim(row["id"], clean(row["claim"]), evidence, names.get(row["label"], row["label"])))
    return out


def fever_pairs(claims: Sequence[FeverClaim], rng: random.Random, max_supports: int) -> list[NLIPair]:
    """Supported -> entailment, refuted -> contradiction (premise: the gold sentences); an unverifiable
    claim -> neutral against the evidence of another claim naming the same things."""
    pool = [c for c in claims if c.evidence]
    index = _name_index(pool)
    supports = [c for c in pool if c.label == "SUPPORTS"]
    rng.shuffle(supports)
    chosen = supports[:max_supports] + [c for c in pool if c.label == "REFUTES"]
    out = [NLIPair(" ".join(c.evidence[:3]), c.claim, "entailment" if c.label == "SUPPORTS" else "contradiction",
                   "fever") for c in chosen]
    for c in claims:
        if c.label == "NOT ENOUGH INFO":
            other = _related(c, index, rng)
            if other is not None:
                out.append(NLIPair(" ".join(other.evidence[:2]), c.claim, "neutral", "fever-nei"))
    return out


def _name_index(pool: Sequence[FeverClaim]) -> dict[str, list[FeverClaim]]:
    index: dict[str, list[FeverClaim]] = {}
    for c in pool:
        for name in set(_CAPS.findall(c.claim)):
            index.setdefault(name, []).append(c)
    return index


def _related(claim: FeverClaim, index: dict[str, list[FeverClaim]], rng: random.Random) -> FeverClaim | None:
    """Another claim's evidence sharing the most capitalised names with this claim."""
    names = set(_CAPS.findall(claim.claim))
    scores: dict[str, tuple[int, FeverClaim]] = {}
    for name in sorted(names):
        for other in index.get(name, ()):
            n, _ = scores.get(other.id, (0, other))
            scores[other.id] = (n + 1, other)
    if not scores:
        return None
    best = max(n for n, _ in scores.values())
    tied = sorted((o for n, o in scores.values() if n == best), key=lambda o: o.id)
    return rng.choice(tied)


def snli_pairs(repo_dir: Path, split: str) -> list[NLIPair]:
    """SNLI premise/hypothesis/label lines as the e-SNLI repository ships them (dev, test)."""
    s1, s2, labels = (git_text(repo_dir, "HEAD", f.format(split)).splitlines() for f in SNLI_FILES)
    return [NLIPair(p.strip(), h.strip(), y.strip(), "snli") for p, h, y in zip(s1, s2, labels, strict=True)
            if y.strip() in LABELS]


def fm2_rows(repo_dir: Path, split: str) -> list[dict[str, object]]:
    text = git_text(repo_dir, "HEAD", f"dataset/{split}.jsonl")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def fm2_pairs(rows: Iterable[dict[str, object]], rng: random.Random) -> list[NLIPair]:
    """Gold sentences against the claim; a retrieved sentence of the same page that the writer did not
    pick as evidence is paired as neutral."""
    out = []
    for row in rows:
        gold = [str(e["text"]) for e in row["gold_evidence"]]  # type: ignore[attr-defined]
        claim = str(row["text"])
        label = "entailment" if row["label"] == "SUPPORTS" else "contradiction"
        out.append(NLIPair(" ".join(gold), claim, label, "fm2"))
        others = [str(e["text"]) for e in row["retrieved_evidence"] if str(e["text"]) not in gold]  # type: ignore[attr-defined]
        if others:
            out.append(NLIPair(rng.choice(others), claim, "neutral", "fm2-other"))
    return out
