"""Batches on a real local Ray: results kept per source, failures isolated, writes serialised through the store
owner, idempotent re-runs, a worker killed mid-source. Short public recordings (datasets/speech) keep it quick."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from autointel.batch.cluster import Worker
from autointel.batch.driver import BatchOptions, BatchRun, run_batch
from autointel.model.batch import SourceStatus
from autointel.rendering.batch import briefing_markdown
from autointel.settings import Settings
from tests.helpers import DATASETS, FIXTURES, fixture_settings

pytestmark = pytest.mark.usefixtures("local_ray")

JFK, ENGLISH, HOTWORDS = (str(DATASETS / "speech" / n) for n in ("jfk.flac", "english.wav", "hotwords.mp3"))
TRUNCATED = str(FIXTURES / "media" / "truncated.mp3")
BAD_URL = "http://127.0.0.1:9/talk.mp3"  # loopback: refused by the network policy


def settings_in(data_dir: Path) -> Settings:
    return replace(fixture_settings(data_dir), engine="pipeline")


def batch(data_dir: Path, *sources: str, workers: int = 2, on_started: object = None) -> BatchRun:
    options = BatchOptions(tuple(sources), data_dir / "batch", workers, None)
    return run_batch(options, settings_in(data_dir), on_started=on_started,  # type: ignore[arg-type]
                     render_briefing=briefing_markdown)


@pytest.fixture(scope="module")
def first(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BatchRun]:
    data_dir = tmp_path_factory.mktemp("batch")
    return data_dir, batch(data_dir, JFK, TRUNCATED, BAD_URL, ENGLISH)


def test_each_source_gets_its_result_and_one_bad_source_does_not_stop_the_batch(
        first: tuple[Path, BatchRun]) -> None:
    data_dir, run = first
    out = data_dir / "batch"
    by_source = {r.source: r for r in run.index.sources}
    assert [r.source for r in run.index.sources] == [JFK, TRUNCATED, BAD_URL, ENGLISH]
    assert by_source[TRUNCATED].status is SourceStatus.FAILED
    assert "too short" in (by_source[TRUNCATED].error or "")
    assert by_source[BAD_URL].status is SourceStatus.FAILED and "private" in (by_source[BAD_URL].error or "")
    for source in (JFK, ENGLISH):
        record = by_source[source]
        assert record.status is SourceStatus.OK and record.sha256 and record.node in run.index.nodes
        result = json.loads((out / (record.result or "")).read_text(encoding="utf-8"))
        assert result["status"] == "ok" and result["media"]["sha256"] == record.sha256
        assert record.store.calls > 0  # its memory and graph writes went to the owner
    assert (out / (by_source[TRUNCATED].result or "")).is_file()  # the failed run's result is kept too
    assert json.loads((out / "index.json").read_text(encoding="utf-8"))["sources"][1]["status"] == "failed"
    assert "# Batch briefing" in (out / "briefing.md").read_text(encoding="utf-8")
    assert run.briefing is not None and run.briefing.claims_checked >= 0


def test_every_store_write_went_through_the_owner_one_at_a_time(first: tuple[Path, BatchRun]) -> None:
    load = first[1].index.owner
    calls = sum(r.store.calls for r in first[1].index.sources)
    assert load.calls >= calls > 0
    assert load.overlapping == 0


def test_a_rerun_skips_what_is_done_and_leaves_the_stores_unchanged(first: tuple[Path, BatchRun]) -> None:
    data_dir, run = first
    again = batch(data_dir, JFK, TRUNCATED, BAD_URL, ENGLISH)
    assert again.skipped == 2  # the failed sources are tried again, the finished ones are not
    assert [r.status for r in again.index.sources] == [SourceStatus.OK, SourceStatus.FAILED, SourceStatus.FAILED,
                                                       SourceStatus.OK]
    assert again.totals == run.totals
    (data_dir / "batch" / "index.json").unlink()  # forget the batch: every source runs again
    fresh = batch(data_dir, JFK, ENGLISH)
    assert fresh.skipped == 0 and all(r.status is SourceStatus.OK for r in fresh.index.sources)
    assert fresh.totals == run.totals  # same media, same points and nodes


def test_a_killed_worker_fails_its_source_and_the_batch_goes_on(tmp_path: Path) -> None:
    import ray

    def kill_on_english(source: str, worker: Worker) -> None:
        if source == ENGLISH:
            ray.kill(worker.handle, no_restart=False)

    run = batch(tmp_path, JFK, ENGLISH, HOTWORDS, workers=1, on_started=kill_on_english)
    status = {r.source: r for r in run.index.sources}
    assert status[ENGLISH].status is SourceStatus.FAILED and "died" in (status[ENGLISH].error or "")
    assert status[JFK].status is SourceStatus.OK
    assert status[HOTWORDS].status is SourceStatus.OK  # run by the restarted worker
