"""The batch briefing: shared themes from the results, and contradictions read through the transcript memory by
the run's own fact-checker (real models, a Qdrant store in memory, passages written for the test)."""

from __future__ import annotations

import json
from pathlib import Path

from autointel.batch.briefing import TalkClaims, TalkDigest, cross_contradictions, read_digest, shared_themes
from autointel.memory.chunking import Chunk
from autointel.memory.embeddings import CachingEmbedder, MiniLMEmbedder
from autointel.memory.store import store_transcript
from autointel.memory.vectors import VectorStore
from autointel.model import Claim, Media
from autointel.model.batch import BatchBriefing, BatchIndex, SourceRecord, SourceStatus
from autointel.phases.verification.decision import load_model
from autointel.phases.verification.nli import NLIModel
from autointel.rendering.batch import briefing_markdown


def digest(title: str, *themes: str) -> TalkDigest:
    return TalkDigest(title, title * 8, 60.0, tuple((t, 0.5) for t in themes), ())


def test_shared_themes_are_keywords_of_two_sources_or_more_most_shared_first() -> None:
    talks = [digest("a", "transit", "budget"), digest("b", "budget", "transit", "solar"),
             digest("c", "budget", "budget")]
    themes = shared_themes(talks)
    assert [(t.keyword, t.sources) for t in themes] == [("budget", ("a", "b", "c")), ("transit", ("a", "b"))]
    assert themes[0].weight == 1.5  # a keyword twice in one source counts once


def test_a_result_file_gives_its_digest(tmp_path: Path) -> None:
    result = {"media": {"title": "Talk", "sha256": "f" * 64, "duration_s": 12.5},
              "analysis": {"themes": [{"label": "bus", "keywords": ["Budget", "bus"], "weight": 0.4}]},
              "verification": {"claims": [{"text": "Fares rose 5%.", "start_s": 3.0, "kinds": ["number"]}]}}
    path = tmp_path / "r.json"
    path.write_text(json.dumps(result), encoding="utf-8")
    found = read_digest(path)
    assert found is not None
    assert found.themes == (("bus", 0.4), ("budget", 0.4))
    assert found.claims == (Claim("Fares rose 5%.", 3.0, ("number",)),)
    path.write_text(json.dumps({"media": None}), encoding="utf-8")
    assert read_digest(path) is None


def test_a_claim_contradicted_by_another_talk_is_found_and_its_own_talk_is_not_evidence() -> None:
    embedder, store = CachingEmbedder(MiniLMEmbedder()), VectorStore()
    said = {"a" * 64: ["The transit budget for 2024 is 90 million dollars."],
            "b" * 64: ["The city council approved a transit budget of 40 million dollars for 2024."]}
    for sha, texts in said.items():
        media = Media(source=sha[:1], title=f"talk {sha[:1]}", platform="local", duration_s=60.0, size_bytes=1,
                      sha256=sha, path="/dev/null")
        store_transcript(store, embedder, media, [Chunk(t, 0.0, 9.0, i) for i, t in enumerate(texts)])
    claim = Claim(said["a" * 64][0], 0.0, ("number",))
    talks = [TalkClaims("talk a", "a" * 64, (claim,))]
    found, checked = cross_contradictions(talks, store, embedder, NLIModel(), load_model())
    assert checked == 1
    assert [(c.claim_source, c.evidence_source.split("#")[0], c.evidence) for c in found] == \
        [("talk a", "talk b", said["b" * 64][0])]
    alone = [TalkClaims("talk b", "b" * 64, (Claim(said["b" * 64][0], 0.0, ("number",)),))]
    store_b_only = VectorStore()
    assert cross_contradictions(alone, store_b_only, embedder, NLIModel(), load_model()) == ((), 1)


def test_the_briefing_names_failed_sources_and_says_when_nothing_contradicts() -> None:
    index = BatchIndex((SourceRecord("a.mp3", SourceStatus.OK), SourceRecord("b.mp3", SourceStatus.FAILED,
                                                                             error="acquisition: bad")),
                       workers=1, ray_address=None, nodes=(), wall_s=1.0)
    text = briefing_markdown(BatchBriefing(("a",), 60.0, (), (), 3), index)
    assert "None found: each of 3 claims" in text
    assert "- b.mp3: failed: acquisition: bad" in text
