"""Claims checked while the decoder runs: the running top N, one check per claim, a failed check run again."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from autointel.engines import run_engine, steps
from autointel.engines.prechecks import Prechecks
from autointel.engines.resources import Resources
from autointel.model import CheckedClaim, Status, Verdict
from autointel.settings import Depth, Flags
from tests.helpers import fixture_settings, talk_media


def _checked(text: str) -> CheckedClaim:
    return CheckedClaim(text, 0.0, (), Verdict.UNVERIFIABLE, 0.5, (), "")


def _offer(table: Prechecks, scored: dict[str, float]) -> None:
    texts = table.unseen(list(scored))
    table.add(texts, [scored[t] for t in texts])


def test_pending_claims_are_the_running_top_n_above_the_threshold_ties_to_the_earlier() -> None:
    table = Prechecks(threshold=0.5, top_n=2)
    _offer(table, {"a": 0.6, "b": 0.4, "c": 0.6})
    assert table.pending() == ["a", "c"]  # b is below the threshold; a and c tie, a came first
    _offer(table, {"d": 0.9, "a": 0.99})  # a was scored already: its second score is ignored
    assert table.pending() == ["d", "a"]  # c is pushed out of the top 2
    assert Prechecks(threshold=0.5, top_n=None).pending() == []
    every = Prechecks(threshold=0.5, top_n=None)
    _offer(every, {"a": 0.6, "b": 0.4, "c": 0.7})
    assert every.pending() == ["c", "a"]


def test_each_claim_is_checked_once_however_many_shards_ask() -> None:
    table, calls, started, release = Prechecks(0.5, None), [], threading.Event(), threading.Event()

    def slow_check() -> CheckedClaim:
        calls.append(1)
        started.set()
        release.wait(5.0)
        return _checked("a")

    ahead = threading.Thread(target=table.run_once, args=("a", slow_check))
    ahead.start()
    assert started.wait(5.0)
    table.run_once("a", slow_check)  # another shard: already running, returns at once
    got: list[CheckedClaim] = []
    waiter = threading.Thread(target=lambda: got.append(table.get("a", slow_check)))
    waiter.start()
    time.sleep(0.05)
    assert not got  # it waits for the running check instead of starting its own
    release.set()
    ahead.join(5.0)
    waiter.join(5.0)
    assert got == [_checked("a")] and len(calls) == 1 and len(table) == 1
    assert table.get("a", slow_check) == _checked("a") and len(calls) == 1


def test_a_check_that_failed_ahead_is_run_again_when_the_claim_is_asked_for() -> None:
    table = Prechecks(0.5, None)

    def fails() -> CheckedClaim:
        raise RuntimeError("store busy")

    with pytest.raises(RuntimeError):
        table.run_once("a", fails)
    assert table.get("a", lambda: _checked("a")) == _checked("a")


@pytest.mark.slow
def test_the_widest_dag_checks_claims_before_extraction_with_the_verdicts_of_a_sequential_run(
    data_dir: Path, resources: Resources, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A spy on the real check and extraction (the seam is the verification package the steps call)."""
    events: list[str] = []
    check, extract = steps.ver.check_claim, steps.ver.extract_claims
    monkeypatch.setattr(steps.ver, "check_claim", lambda *a, **k: events.append("check") or check(*a, **k))
    monkeypatch.setattr(steps.ver, "extract_claims", lambda *a, **k: events.append("extract") or extract(*a, **k))
    media = str(talk_media("city_transit"))  # 80 s: three decoder windows, so sentences arrive before the end
    widest = run_engine(media, fixture_settings(data_dir, Flags(True, True, True),
                                                depth=Depth.COMPREHENSIVE), resources)
    assert widest.status is Status.OK, widest.errors
    assert "check" in events[: events.index("extract")]  # a claim was checked while the decoder ran
    sequential = run_engine(media, fixture_settings(data_dir, Flags(), depth=Depth.COMPREHENSIVE), resources)
    assert widest.verification is not None and sequential.verification is not None
    assert widest.verification.claims == sequential.verification.claims
