"""Memory layer against the real thing: embedded Qdrant on disk, the MiniLM embedder, the JSON graph."""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from autointel.memory.chunking import (
    Chunk,
    ChunkBuilder,
    chunk_segments,
    passage_sentences,
    split_documents,
    split_sentences,
)
from autointel.memory.embeddings import CachingEmbedder, MiniLMEmbedder
from autointel.memory.graph import KnowledgeGraph, node_key
from autointel.memory.store import IndexedSentences, index_evidence, recall, search_evidence, store_transcript
from autointel.memory.vectors import EVIDENCE, EVIDENCE_SENTENCES, TRANSCRIPTS, StoreBusyError, VectorStore, point_id
from autointel.model import Media, Segment

DIM = 384


@pytest.fixture(scope="module")
def embedder() -> MiniLMEmbedder:
    return MiniLMEmbedder()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[VectorStore]:
    with VectorStore(path=tmp_path / "qdrant") as s:
        yield s


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "evidence"
    (root / "energy").mkdir(parents=True)
    (root / "energy" / "solar.md").write_text(
        "# Solar power\n\n"
        "The cost of **solar** photovoltaic modules fell by about 90 percent between 2010 and 2020, "
        "according to the [IRENA](https://irena.org) cost report.\n\n"
        "- Denmark built the world's first offshore wind farm, Vindeby, in 1991.\n"
        "```\ncode that must vanish\n```\n",
        encoding="utf-8",
    )
    (root / "health.txt").write_text(
        "Regular physical exercise lowers the risk of heart disease and type 2 diabetes in adults.\n"
        "Dr. Smith measured a mean blood pressure drop of 3.5 mmHg over twelve weeks of daily walking.",
        encoding="utf-8",
    )
    (root / "notes.csv").write_text("ignored,file\n", encoding="utf-8")
    return root


def _media(sha: str, title: str) -> Media:
    return Media(f"https://example.org/{title}", title, "local", 60.0, 1000, sha, f"/tmp/{title}.wav")


# -- chunking --------------------------------------------------------------------------------------


def test_chunk_segments_groups_by_time_without_splitting() -> None:
    segments = [Segment(i * 10.0, i * 10.0 + 10.0, f"sentence {i}.") for i in range(7)]
    chunks = chunk_segments(segments, target_s=30.0)
    assert [(c.start_s, c.end_s, c.index) for c in chunks] == [
        (0.0, 30.0, 0),
        (30.0, 60.0, 1),
        (60.0, 70.0, 2),
    ]
    assert chunks[0].text == "sentence 0. sentence 1. sentence 2."
    assert chunk_segments(segments, target_s=30.0) == chunks  # deterministic


def test_chunk_segments_respects_max_chars_and_skips_blanks() -> None:
    long = "x" * 700
    segments = [Segment(0, 1, "short one"), Segment(1, 2, "  "), Segment(2, 3, long), Segment(3, 4, "tail")]
    chunks = chunk_segments(segments, target_s=100.0, max_chars=600)
    assert [c.text for c in chunks] == ["short one", long, "tail"]  # the long segment is never split
    assert chunk_segments([], target_s=30.0) == ()
    with pytest.raises(ValueError):
        chunk_segments(segments, target_s=0)


def test_chunking_a_growing_transcript_hands_out_the_same_chunks_once_each_is_closed() -> None:
    """The streaming consumer chunks segments as they are decoded; what it embeds early is what the steps cut."""
    segments = [Segment(i * 4.0, i * 4.0 + (9.0 if i % 7 == 0 else 4.0), ("word " * (5 + i % 40)).strip())
                for i in range(120)] + [Segment(480.0, 484.0, "  "), Segment(484.0, 500.0, "x" * 700)]
    builder, seen, latest = ChunkBuilder(30.0, 600), [], 0.0
    for segment in segments:
        closed = builder.add(segment)
        latest = max(latest, segment.end_s)
        assert all(c.end_s <= latest for c in closed)  # handed out as soon as closed: nothing from the future
        seen += closed
    whole = chunk_segments(segments, 30.0, 600)
    assert (*seen, *builder.close()) == whole and len(whole) > 10
    assert builder.close() == []


def test_split_sentences_handles_abbreviations_and_decimals() -> None:
    text = (
        "Dr. Smith said growth was 3.5 percent in the U.S. economy. It fell to 2.1 percent. "
        "See No. 5 for details! Was it J. R. R. Tolkien? I said no. Then we left."
    )
    assert split_sentences(text) == [
        "Dr. Smith said growth was 3.5 percent in the U.S. economy.",
        "It fell to 2.1 percent.",
        "See No. 5 for details!",
        "Was it J. R. R. Tolkien?",
        "I said no.",
        "Then we left.",
    ]


def test_split_documents_strips_markdown(corpus: Path) -> None:
    passages = split_documents(corpus)
    sources = [p.source for p in passages]
    assert sources == sorted(sources) and set(sources) == {"energy/solar.md", "health.txt"}
    texts = [p.text for p in passages]
    assert not any("#" in t or "**" in t or "](" in t or "code that must vanish" in t for t in texts)
    assert any(t.startswith("The cost of solar photovoltaic") and "IRENA cost report" in t for t in texts)
    assert "Denmark built the world's first offshore wind farm, Vindeby, in 1991." in texts
    assert any(t.startswith("Dr. Smith measured a mean blood pressure drop of 3.5 mmHg") for t in texts)
    assert [p.index for p in passages if p.source == "health.txt"] == [0, 1]
    assert split_documents(corpus) == passages


def test_split_documents_errors(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not found"):
        split_documents(tmp_path / "missing")
    with pytest.raises(ValueError, match=r"no \.txt or \.md"):
        split_documents(tmp_path)


# -- vector store ----------------------------------------------------------------------------------


def _random_rows(n: int, seed: int) -> npt.NDArray[np.float32]:
    rows = np.random.default_rng(seed).normal(size=(n, DIM)).astype(np.float32)
    return np.asarray(rows / np.linalg.norm(rows, axis=1, keepdims=True), dtype=np.float32)


def test_upsert_is_idempotent_and_persists(tmp_path: Path) -> None:
    path = tmp_path / "qdrant"
    keys = [f"k{i}" for i in range(10)]
    rows = _random_rows(10, 0)
    payloads = [{"text": k} for k in keys]
    with VectorStore(path=path) as store:
        assert store.count(EVIDENCE) == 0
        assert store.search(EVIDENCE, rows[0], 3) == []
        assert store.upsert(EVIDENCE, keys, rows, payloads, batch_size=4) == 10
        assert store.upsert(EVIDENCE, keys, rows, payloads, batch_size=4) == 0
        assert store.upsert(EVIDENCE, [*keys[:2], "k10"], _random_rows(3, 1), payloads[:3]) == 1
        assert store.count(EVIDENCE) == 11
    store.close()  # idempotent
    with VectorStore(path=path) as store:
        assert store.count(EVIDENCE) == 11
        score, payload = store.search(EVIDENCE, rows[5], 1)[0]
        assert payload == {"text": "k5"} and score == pytest.approx(1.0, abs=1e-4)
        assert store.existing_keys(EVIDENCE, ["k1", "nope"]) == frozenset({"k1"})
    with pytest.raises(RuntimeError, match="closed"):
        store.count(EVIDENCE)
    assert point_id("k1") == point_id("k1") != point_id("k2")


def test_second_store_on_same_folder_is_busy(tmp_path: Path) -> None:
    with VectorStore(path=tmp_path / "qdrant"), pytest.raises(StoreBusyError, match="in use"):
        VectorStore(path=tmp_path / "qdrant")
    with VectorStore(path=tmp_path / "qdrant") as again:  # released on close
        assert again.count(TRANSCRIPTS) == 0


def test_concurrent_upserts_from_four_threads(store: VectorStore) -> None:
    # Each thread writes 30 own keys and the same 10 shared keys: every key is new exactly once.
    shared = [f"shared{i}" for i in range(10)]
    results: list[int] = []
    errors: list[BaseException] = []

    def work(t: int) -> None:
        try:
            keys = [f"t{t}-{i}" for i in range(30)] + shared
            for lo in range(0, len(keys), 8):
                part = keys[lo : lo + 8]
                new = store.upsert(TRANSCRIPTS, part, _random_rows(len(part), t), [{"k": k} for k in part])
                results.append(new)
                store.search(TRANSCRIPTS, _random_rows(1, t)[0], 2)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(results) == 4 * 30 + 10
    assert store.count(TRANSCRIPTS) == 130


def test_in_memory_store_and_dimension_checks() -> None:
    with VectorStore() as store:
        assert store.location == ":memory:"
        with pytest.raises(ValueError, match="width"):
            store.upsert(EVIDENCE, ["a"], np.zeros((1, 10)), [{}])
        with pytest.raises(ValueError, match="differ"):
            store.upsert(EVIDENCE, ["a", "b"], _random_rows(1, 0), [{}])
        assert store.upsert(EVIDENCE, [], [], []) == 0
    with pytest.raises(ValueError):
        VectorStore(path=Path("x"), url="http://localhost:6333")


# -- store functions with the real embedder --------------------------------------------------------


def test_index_and_search_evidence(tmp_path: Path, corpus: Path, embedder: MiniLMEmbedder) -> None:
    path = tmp_path / "qdrant"
    with VectorStore(path=path) as store:
        first = index_evidence(store, embedder, corpus)
        assert first.collection == EVIDENCE and first.points_written == first.points_total >= 3
        again = index_evidence(store, embedder, corpus)
        assert (again.points_written, again.points_total) == (0, first.points_total)
    with VectorStore(path=path) as store:
        hits = search_evidence(store, embedder, "When was the first offshore wind farm built?", limit=2)
        assert hits[0].source == "energy/solar.md" and "Vindeby" in hits[0].text
        assert hits[0].score >= hits[1].score
        hits = search_evidence(store, embedder, "Does walking reduce blood pressure?", limit=1)
        assert hits[0].source == "health.txt" and "blood pressure" in hits[0].text
        assert search_evidence(store, embedder, "   ") == []


class CountingEmbedder:
    """The real model, counting the texts it is asked to embed."""

    def __init__(self, base: MiniLMEmbedder) -> None:
        self.base, self.texts = base, 0

    @property
    def dim(self) -> int:
        return self.base.dim

    def embed(self, texts: Any) -> npt.NDArray[np.float32]:
        self.texts += len(texts)
        return self.base.embed(texts)


def test_indexing_stores_each_evidence_sentence_and_claim_checks_read_them(
    tmp_path: Path, corpus: Path, embedder: MiniLMEmbedder
) -> None:
    counting = CountingEmbedder(embedder)
    (corpus / "bridge.txt").write_text("The Harbor Bridge opened in 1952. It carries four lanes of traffic.\n")
    with VectorStore(path=tmp_path / "qdrant") as store:
        index_evidence(store, counting, corpus)
        sentences = [s for p in split_documents(corpus) for s in passage_sentences(p.text)]
        assert store.count(EVIDENCE_SENTENCES) == len(set(sentences)) > store.count(EVIDENCE)
        before = counting.texts
        index_evidence(store, counting, corpus)
        assert counting.texts == before  # a re-run embeds nothing
        claim = "Vindeby was the first offshore wind farm."
        texts = [claim, *sentences]
        aligner = IndexedSentences(store, counting)
        rows = aligner.embed(texts)
        assert counting.texts == before + 1  # only the claim: every evidence sentence was stored
        assert np.allclose(rows, embedder.embed(texts), atol=1e-5)
    with VectorStore() as empty:  # a corpus indexed before sentences were stored: everything is embedded
        assert np.allclose(IndexedSentences(empty, counting).embed(texts), rows, atol=1e-5)
        assert IndexedSentences(empty, counting).embed([]).shape == (0, DIM)


def test_store_transcript_recall_and_cross_talk_evidence(
    store: VectorStore, embedder: MiniLMEmbedder
) -> None:
    talk_a = _media("a" * 64, "transit")
    talk_b = _media("b" * 64, "diet")
    chunks_a = (
        Chunk("The new tram line carries forty thousand riders a day across the city.", 0.0, 30.0, 0),
        Chunk("Bus fares will be frozen until the end of next year.", 30.0, 60.0, 1),
    )
    chunks_b = (Chunk("Eating more vegetables and less sugar improves long term health.", 0.0, 25.0, 0),)
    first = store_transcript(store, embedder, talk_a, chunks_a)
    assert (first.collection, first.points_written, first.points_total) == (TRANSCRIPTS, 2, 2)
    assert store_transcript(store, embedder, talk_a, chunks_a).points_written == 0
    assert store_transcript(store, embedder, talk_b, chunks_b).points_total == 3

    top = recall(store, embedder, "public transport ridership on trams", limit=2)
    assert top[0]["title"] == "transit" and top[0]["start_s"] == 0.0 and top[0]["end_s"] == 30.0
    assert top[0]["source"] == "https://example.org/transit" and top[0]["score"] >= top[1]["score"]

    # Talk B's own chunks are excluded; talk A's are offered as evidence with a time reference.
    hits = search_evidence(
        store, embedder, "tram riders per day", limit=3, include_transcripts_except=talk_b.sha256
    )
    assert hits[0].source == "https://example.org/transit#t=0"
    hits = search_evidence(
        store, embedder, "vegetables and sugar", limit=3, include_transcripts_except=talk_b.sha256
    )
    assert all("vegetables" not in h.text for h in hits)


# -- knowledge graph -------------------------------------------------------------------------------


def test_graph_upserts_save_atomically_and_reload(tmp_path: Path) -> None:
    path = tmp_path / "graph" / "kg.json"
    graph = KnowledgeGraph.open(path)
    media, entity, claim = "media:abc", node_key("entity", "  Denmark "), "claim:1"
    assert entity == "entity:denmark"
    assert graph.upsert_node(media, "media", title="energy talk")
    assert graph.upsert_node(entity, "entity", name="Denmark")
    assert graph.upsert_node(claim, "claim", text="Denmark built the first offshore wind farm in 1991.")
    assert not graph.upsert_node(media, "media", title="energy talk (renamed)")
    assert graph.upsert_edge(media, entity, "mentions", count=1)
    assert graph.upsert_edge(media, claim, "makes_claim")
    assert graph.upsert_edge(claim, entity, "about")
    assert not graph.upsert_edge(media, entity, "mentions", count=2)  # same identity: updated, not added
    assert graph.upsert_edge(media, entity, "about")  # another kind is another edge
    assert (graph.node_count, graph.edge_count) == (3, 4)
    with pytest.raises(ValueError, match="does not exist"):
        graph.upsert_edge(media, "entity:nowhere", "mentions")
    with pytest.raises(ValueError, match="is a 'media'"):
        graph.upsert_node(media, "theme")
    with pytest.raises(ValueError, match="JSON"):
        graph.upsert_node("theme:x", "theme", weights={1, 2})
    graph.save()
    assert [p.name for p in path.parent.iterdir()] == ["kg.json"]  # no temporary file left behind
    assert json.loads(path.read_text(encoding="utf-8"))["format"] == "autointel-graph"

    reloaded = KnowledgeGraph.open(path)
    assert (reloaded.node_count, reloaded.edge_count) == (3, 4)
    assert reloaded.node(media) == {"kind": "media", "title": "energy talk (renamed)"}
    assert reloaded.edge(media, entity, "mentions") == {"kind": "mentions", "count": 2}
    assert reloaded.neighbors(media) == [claim, entity]
    assert reloaded.neighbors(entity, "about") == [claim, media]  # incoming edges count too
    assert reloaded.nodes_of_kind("entity") == [entity]
    assert not reloaded.upsert_edge(media, claim, "makes_claim")
    reloaded.save()
    assert KnowledgeGraph.open(path).edge_count == 4


def test_graph_concurrent_upserts_and_bad_file(tmp_path: Path) -> None:
    graph = KnowledgeGraph.open(tmp_path / "kg.json")
    graph.upsert_node("media:m", "media")

    def work(t: int) -> None:
        for i in range(50):
            graph.upsert_node(f"entity:{i}", "entity")
            graph.upsert_edge("media:m", f"entity:{i}", "mentions", thread=t)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert (graph.node_count, graph.edge_count) == (51, 50)

    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match="cannot read knowledge graph"):
        KnowledgeGraph.open(bad)


def test_embeddings_keep_input_order_and_do_not_depend_on_the_batching(embedder: MiniLMEmbedder) -> None:
    """Texts are sorted by length into batches; each row must still be its own text's vector, the same as
    the text embedded alone or in batches of another size (sentence-transformers' pooling, unit norm)."""
    texts = ["A much longer sentence about the council's transit budget, which grew by 12 percent in 2023.",
             "Short.", "", "Solar power got cheaper, according to IRENA's cost report for 2010 to 2020.", "Hi."]
    vectors = embedder.embed(texts)
    alone = np.concatenate([embedder.embed([t]) for t in texts])
    assert vectors.shape == (5, DIM) and np.array_equal(vectors, alone)
    assert np.array_equal(MiniLMEmbedder(batch_size=2).embed(texts), vectors)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert len({v.tobytes() for v in vectors}) == 5  # distinct texts, distinct rows (no row written twice)


def test_caching_embedder_returns_the_models_vectors_and_starts_cold_when_copied(embedder: MiniLMEmbedder) -> None:
    texts = ["The council votes next month.", "Solar power got cheaper.", "The council votes next month."]
    cached = CachingEmbedder(embedder)
    first = cached.embed(texts)
    again = cached.embed(texts[:2])
    assert np.allclose(first, embedder.embed(texts), atol=1e-5)
    assert np.array_equal(first[:2], again)
    assert (cached.misses, cached.hits) == (2, 3)
    cold = cached.cold_copy()
    cold.embed(texts[:1])
    assert (cold.misses, cold.hits) == (1, 0)


def test_concurrent_callers_embed_shared_texts_once(embedder: MiniLMEmbedder) -> None:
    """Parallel analysis steps read the same sentences: the model sees each text once, as sequentially."""
    seen: Counter[str] = Counter()
    started = threading.Barrier(3)

    class CountingModel:  # the real model behind a counter; every caller starts together
        dim = embedder.dim

        def embed(self, texts: Any) -> Any:
            seen.update(texts)
            return embedder.embed(texts)

    cached = CachingEmbedder(CountingModel())
    sentences = [f"Sentence number {i} about the city budget." for i in range(40)]
    results: dict[int, Any] = {}

    def call(i: int) -> None:
        started.wait()
        results[i] = cached.embed(sentences if i < 2 else [*sentences[::2], "A sentence of its own."])

    threads = [threading.Thread(target=call, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert set(seen.values()) == {1} and len(seen) == 41
    expected = embedder.embed(sentences)
    assert np.allclose(results[0], expected, atol=1e-5) and np.allclose(results[1], expected, atol=1e-5)
    assert np.allclose(results[2][:20], expected[::2], atol=1e-5)


def test_a_failed_embedding_leaves_no_waiter_stuck(embedder: MiniLMEmbedder) -> None:
    class FailsOnce:
        dim = embedder.dim
        calls = 0

        def embed(self, texts: Any) -> Any:
            FailsOnce.calls += 1
            if FailsOnce.calls == 1:
                raise RuntimeError("model crashed")
            return embedder.embed(texts)

    cached = CachingEmbedder(FailsOnce())
    with pytest.raises(RuntimeError):
        cached.embed(["one text"])
    assert np.allclose(cached.embed(["one text"]), embedder.embed(["one text"]), atol=1e-5)
