"""The batch briefing: what the finished sources share (theme keywords) and where they disagree (a claim of one
that the fact-checker finds contradicted by what another said, read from the transcript memory)."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from autointel.memory.embeddings import Embedder
from autointel.memory.store import search_other_talks
from autointel.memory.vectors import Vectors
from autointel.model import Claim, Evidence, Verdict
from autointel.model.batch import BatchBriefing, CrossContradiction, SharedTheme, SourceRecord

if TYPE_CHECKING:
    from autointel.phases.verification.decision import FactModel
    from autointel.phases.verification.nli import NLIModel

MAX_THEMES = 12


@dataclass(frozen=True)
class TalkClaims:
    """One finished source's claims, for the cross-source reading."""

    title: str
    sha256: str
    claims: tuple[Claim, ...]


@dataclass(frozen=True)
class TalkDigest:
    """What the briefing reads of one finished source's result file."""

    title: str
    sha256: str
    media_s: float
    themes: tuple[tuple[str, float], ...]  # (keyword, theme weight)
    claims: tuple[Claim, ...]


def read_digest(path: Path) -> TalkDigest | None:
    """The parts of a result the briefing needs (None: a result without media, or unreadable)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        media = data["media"]
        if not media:
            return None
        themes = tuple((keyword.lower(), float(theme["weight"]))
                       for theme in (data.get("analysis") or {}).get("themes", ())
                       for keyword in dict.fromkeys([theme["label"], *theme["keywords"]]))
        claims = tuple(Claim(text=c["text"], start_s=float(c["start_s"]), kinds=tuple(c["kinds"]))
                       for c in (data.get("verification") or {}).get("claims", ()))
        return TalkDigest(str(media["title"]), str(media["sha256"]), float(media["duration_s"]), themes, claims)
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
        return None


def digests(out_dir: Path, records: Sequence[SourceRecord]) -> list[TalkDigest]:
    """One digest per finished media (a media given twice under two names is read once)."""
    found: dict[str, TalkDigest] = {}
    for record in records:
        if record.status.done and record.result:
            digest = read_digest(out_dir / record.result)
            if digest is not None:
                found.setdefault(digest.sha256, digest)
    return list(found.values())


def talk_claims(talks: Sequence[TalkDigest]) -> tuple[TalkClaims, ...]:
    return tuple(TalkClaims(t.title, t.sha256, t.claims) for t in talks if t.claims)


def cross_contradictions(talks: Sequence[TalkClaims], store: Vectors, embedder: Embedder, nli: NLIModel,
                          fact_model: FactModel) -> tuple[tuple[CrossContradiction, ...], int]:
    """Each talk's claims checked against what the other talks said (their nearest transcript passages in
    memory), by the same checker as a run's; returns the contradictions found and the claims checked."""
    from autointel.phases.verification.factcheck import check_claim

    found, checked = [], 0
    for talk in talks:
        def search(text: str, limit: int, sha: str = talk.sha256) -> list[Evidence]:
            return search_other_talks(store, embedder, text, limit, sha)

        for claim in talk.claims:
            reading = check_claim(claim, search, embedder, nli, fact_model)
            checked += 1
            if reading.verdict is Verdict.CONTRADICTED and reading.evidence:
                other = reading.evidence[0]
                found.append(CrossContradiction(claim.text, talk.title, other.text, other.source,
                                                round(reading.confidence, 6), reading.rationale))
    return tuple(found), checked


def shared_themes(talks: Sequence[TalkDigest]) -> tuple[SharedTheme, ...]:
    """Theme keywords found in two or more sources, the most widely shared first."""
    sources: dict[str, list[str]] = defaultdict(list)
    weight: dict[str, float] = defaultdict(float)
    for talk in talks:
        best: dict[str, float] = {}
        for keyword, w in talk.themes:
            best[keyword] = max(best.get(keyword, 0.0), w)
        for keyword, w in best.items():
            sources[keyword].append(talk.title)
            weight[keyword] += w
    shared = [SharedTheme(k, tuple(v), round(weight[k], 6)) for k, v in sources.items() if len(v) > 1]
    shared.sort(key=lambda t: (-len(t.sources), -t.weight, t.keyword))
    return tuple(shared[:MAX_THEMES])


def build_briefing(talks: Sequence[TalkDigest], contradictions: Sequence[CrossContradiction],
                   checked: int) -> BatchBriefing:
    ordered = sorted(contradictions, key=lambda c: (-c.confidence, c.claim_source, c.claim))
    return BatchBriefing(sources=tuple(t.title for t in talks), media_s=round(sum(t.media_s for t in talks), 6),
                         themes=shared_themes(talks), contradictions=tuple(ordered), claims_checked=checked)


def briefing_json(briefing: BatchBriefing) -> dict[str, Any]:
    from autointel.model.serialize import to_jsonable

    data: dict[str, Any] = to_jsonable(briefing)
    return data
