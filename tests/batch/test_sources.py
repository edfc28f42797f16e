"""What a batch is asked to do, before Ray: the source list, what an earlier run finished, the index it left."""

from __future__ import annotations

import json
import warnings
from dataclasses import replace
from pathlib import Path

import pytest

from autointel.batch.sources import (
    batch_sources,
    finished,
    local_sha256,
    read_index,
    read_source_list,
    source_key,
)
from autointel.errors import InputError
from autointel.model.batch import BatchIndex, OwnerLoad, SourceRecord, SourceStatus, StoreTime


def test_a_source_list_skips_blank_lines_and_comments(tmp_path: Path) -> None:
    listed = tmp_path / "list.txt"
    listed.write_text("# talks\n\na.mp3\n  b.mp3  \n# c.mp3\n", encoding="utf-8")
    assert read_source_list(listed) == ("a.mp3", "b.mp3")


def test_an_unreadable_list_is_one_line_of_bad_input(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot be read"):
        read_source_list(tmp_path / "missing.txt")
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(InputError, match="cannot be read"):
        read_source_list(binary)


def test_sources_keep_their_order_once_each_and_none_is_bad_input() -> None:
    assert batch_sources(["b", "a"], ["a", "c", "b"]) == ("b", "a", "c")
    with pytest.raises(InputError, match="no sources given"):
        batch_sources([], [" ", ""])


def index_with(*records: SourceRecord) -> BatchIndex:
    return BatchIndex(sources=records, workers=2, ray_address=None, nodes=("n1",), wall_s=1.5,
                      owner=OwnerLoad(3, 0.25, 0))


def test_the_index_reads_back_what_it_wrote_and_refuses_a_newer_schema() -> None:
    record = SourceRecord("a.mp3", SourceStatus.PARTIAL, sha256="ab" * 32, result="results/x.json", node="n1",
                          worker=0, wall_s=2.0, media_s=11.0, store=StoreTime(4, 0.1, 0.05), error="x: y")
    index = index_with(record, SourceRecord("b.mp3", SourceStatus.INTERRUPTED))
    assert BatchIndex.from_json(json.loads(json.dumps(index.to_json()))) == index
    with pytest.raises(ValueError, match="newer"):
        BatchIndex.from_json({**index.to_json(), "schema": 99})


def test_a_damaged_index_is_bad_input_not_replaced(tmp_path: Path) -> None:
    (tmp_path / "index.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError, match="move it away"):
        read_index(tmp_path)
    assert (tmp_path / "index.json").read_text(encoding="utf-8") == "{not json"


def test_finished_sources_are_known_by_name_or_by_their_bytes(tmp_path: Path) -> None:
    media = tmp_path / "talk.wav"
    media.write_bytes(b"RIFF-some-audio")
    sha = local_sha256(str(media))
    assert sha is not None and len(sha) == 64
    results = tmp_path / "results"
    results.mkdir()
    (results / f"{sha}.json").write_text("{}", encoding="utf-8")
    done = SourceRecord("old-name.wav", SourceStatus.OK, sha256=sha, result=f"results/{sha}.json")
    failed = SourceRecord("https://example.org/x.mp3", SourceStatus.FAILED, result="results/y.json")
    previous = index_with(done, failed)
    kept = finished(previous, tmp_path, [str(media), "https://example.org/x.mp3"])
    assert list(kept) == [str(media)]  # same bytes under a new name: done; a failed source is tried again
    (results / f"{sha}.json").unlink()  # a result that is gone is not done
    assert finished(previous, tmp_path, [str(media)]) == {}
    assert finished(index_with(replace(done, source=str(media), sha256=None)), tmp_path, [str(media)]) == {}


def test_a_run_without_media_is_keyed_by_its_source_text() -> None:
    assert source_key("x.mp3", "ab" * 32) == "ab" * 32
    assert source_key("x.mp3", None).startswith("source-") and source_key("x.mp3", None) != source_key("y", None)


def test_with_a_qdrant_server_a_worker_writes_vectors_itself_and_still_sends_the_graph_to_the_owner(
        tmp_path: Path) -> None:
    """The seam only (no Qdrant server binary is reachable here): which store a worker's run gets."""
    from autointel.batch.owner import OwnerVectors, StoreMeter
    from autointel.batch.worker import BatchResources
    from autointel.engines.resources import Resources
    from autointel.memory.vectors import VectorStore
    from tests.helpers import fixture_settings

    served = replace(fixture_settings(tmp_path), qdrant_url="http://127.0.0.1:6333")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the client's version check finds no server: nothing else is sent
        with Resources(served) as models, BatchResources(served, models, None, StoreMeter()) as resources:
            assert isinstance(resources.vectors(), VectorStore)
            with pytest.raises(RuntimeError, match="store owner"):
                resources.graph()
    embedded = fixture_settings(tmp_path)
    with Resources(embedded) as models, BatchResources(embedded, models, None, StoreMeter()) as resources:
        assert isinstance(resources.vectors(), OwnerVectors)
    assert not (tmp_path / ".lock").exists()  # a worker never takes the data-dir lock: the owner holds it
