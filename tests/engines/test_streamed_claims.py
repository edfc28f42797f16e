"""Steps that stream others (the widest DAG): the feeds, the plan, the engines, the bound."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from autointel.bench.dag_bound import critical_path_of
from autointel.engines import run_engine
from autointel.engines.feed import SegmentFeed
from autointel.engines.plan import build_plan
from autointel.engines.resources import Resources
from autointel.errors import PhaseError
from autointel.faults import Fault
from autointel.model import Segment, Status
from autointel.phases.text import finished_sentences
from autointel.settings import Depth, Flags
from tests.helpers import fixture_settings, talk_media

WIDEST = Flags(True, True, True)


def _segment(i: int) -> Segment:
    return Segment(float(i), float(i) + 1.0, f"Sentence number {i} states {i} percent.")


def test_a_follower_sees_segments_as_they_arrive_and_stops_when_the_feed_closes() -> None:
    feed, seen = SegmentFeed(), []
    follower = threading.Thread(target=lambda: seen.extend(len(s) for s in feed.follow(threading.Event())))
    follower.start()
    for i in range(3):
        feed.put(_segment(i))
        time.sleep(0.05)
    feed.close(ok=True)
    follower.join(5.0)
    assert not follower.is_alive()
    assert seen[0] <= 1 and seen[-1] == 3 and seen == sorted(seen)  # grows one change at a time, ends complete
    feed.put(_segment(9))  # an abandoned decoder after close: ignored
    assert [len(s) for s in feed.follow(threading.Event())] == [3]


def test_a_failed_producer_or_an_interrupt_ends_the_wait_with_a_phase_error() -> None:
    failed = SegmentFeed()
    failed.put(_segment(0))
    failed.close(ok=False)
    with pytest.raises(PhaseError, match="transcription did not succeed"):
        list(failed.follow(threading.Event()))
    cancelled = threading.Event()
    cancelled.set()
    with pytest.raises(PhaseError, match="interrupted"):
        list(SegmentFeed().follow(cancelled))  # never closed: the cancel event alone ends it


@pytest.mark.parametrize("depth", list(Depth))
def test_only_the_widest_dag_streams_and_only_what_starts_on_a_partial_transcript(depth: Depth) -> None:
    analysers = {name: ("transcribe",) for name in ("text_analysis", "fallacy_detection", "perspective_synthesis")}
    for flags in Flags.all_combinations():
        plan = build_plan(depth, flags)
        streaming = {s.name: s.streams for s in plan.steps if s.streams}
        if not flags.all_on:
            assert streaming == {}
            continue
        shards = {f"fact_check_{i + 1}": ("transcribe", "claim_extraction") for i in range(4)}
        verifying = {"claim_extraction": ("transcribe",)} | shards if depth.verifies else {}
        assert streaming == analysers | verifying
        for name in streaming:  # each starts with what its producers start with, so it is skipped with them
            step = plan.step(name)
            assert "acquire" in step.deps and "transcribe" not in step.deps and "transcribe" in step.waits_for
        described = {s["name"]: s for s in plan.describe()["steps"]}  # type: ignore[attr-defined]
        assert {n: tuple(s["streams"]) for n, s in described.items() if "streams" in s} == streaming


def test_a_plan_whose_follower_could_outlive_its_skipped_producer_is_refused() -> None:
    from autointel.engines.plan import Step, _check

    with pytest.raises(AssertionError, match="deps they need"):  # c streams t but does not wait for t's a
        _check([Step("acquire", "acquisition", ()), Step("transcribe", "transcription", ("acquire",)),
                Step("claim_extraction", "verification", (), streams=("transcribe",))])
    with pytest.raises(AssertionError, match="streams"):  # only the steps with a feed can be streamed
        _check([Step("acquire", "acquisition", ()), Step("claim_extraction", "verification", (),
                                                         streams=("acquire",))])


def test_a_closed_claims_feed_releases_its_waiters_and_a_failed_one_names_claim_extraction() -> None:
    from autointel.engines.feed import ClaimsFeed

    done = ClaimsFeed()
    waiter = threading.Thread(target=done.wait, args=(threading.Event(),))
    waiter.start()
    time.sleep(0.05)
    assert waiter.is_alive()  # nothing handed on yet: it waits for the end
    done.close(ok=True)
    waiter.join(5.0)
    assert not waiter.is_alive()
    failed = ClaimsFeed()
    failed.close(ok=False)
    with pytest.raises(PhaseError, match=r"claims it streams was not produced \(claim extraction did not succeed"):
        failed.wait(threading.Event())


def test_the_bound_counts_a_streaming_steps_tail_after_its_stream() -> None:
    """a -> t, and c starts with t and ends 0.3 s after it: the bound runs a, t, c's tail, x (6.0 s)."""
    plan = {"steps": [{"name": "a", "deps": []}, {"name": "t", "deps": ["a"]},
                      {"name": "c", "deps": ["a"], "streams": ["t"]}, {"name": "x", "deps": ["c"]}]}
    spans = {"a": (0.0, 1.0), "t": (1.0, 5.0), "c": (1.2, 5.3), "x": (5.3, 6.0)}
    steps = [{"name": n, "start_s": s, "end_s": e, "wall_s": e - s} for n, (s, e) in spans.items()]
    # The flow's tasks (LLM turn, then the step): c's turn begins at 1.0 with t's, its tail is still 0.3 s.
    tasks = [{"name": s["name"], "context": s["deps"]} | ({"streams": s["streams"]} if "streams" in s else {})
             for s in plan["steps"]]
    timings = [{"name": n, "start_s": 1.0 if n == "c" else s, "end_s": e} for n, (s, e) in spans.items()]
    result: Any = SimpleNamespace(plan=plan, crew={"tasks": tasks, "task_timings": timings})
    out = critical_path_of(result, steps, 6.0)
    assert out is not None
    assert out["bound_s"] == pytest.approx(6.0) and out["path"] == ["a", "t", "c", "x"]
    assert out["layout_bound_s"] == pytest.approx(6.0)
    # Counted whole, c's 4.1 s wall would put the bound on a, c, x (5.8 s): below the run it bounds.
    whole = [{**s, "streams": []} if s["name"] == "c" else s for s in plan["steps"]]
    assert critical_path_of(SimpleNamespace(plan={"steps": whole}, crew=None), steps, 6.0)["bound_s"] == pytest.approx(
        5.8)


@pytest.mark.slow
def test_in_the_flow_claim_extraction_starts_before_transcription_ends_and_ends_after_it(
    data_dir: Path, resources: Resources
) -> None:
    settings = fixture_settings(data_dir, WIDEST, engine="flow", llm_profile="fixed-0.3", depth=Depth.DEEP)
    result = run_engine(str(talk_media("health_diet")), settings, resources)
    assert result.status is Status.OK, result.errors
    tasks = {t["name"]: (t["start_s"], t["end_s"]) for t in result.crew["task_timings"]}  # type: ignore[index]
    steps = {s.name: s for s in result.steps}
    assert tasks["claim_extraction"][0] < steps["transcribe"].end_s  # its agent's turn overlapped the decoder
    assert steps["claim_extraction"].end_s >= steps["transcribe"].end_s  # and it read the whole transcript
    assert result.verification is not None and result.verification.claims


@pytest.mark.slow
@pytest.mark.parametrize("fault,timeouts", [(Fault("transcribe", "error"), ()),
                                            (Fault("transcribe", "slow", 5.0), (("transcribe", 0.5),))],
                         ids=["error", "timeout"])
def test_a_failed_transcription_fails_the_streaming_step_instead_of_hanging_it(
    fault: Fault, timeouts: tuple[tuple[str, float], ...], data_dir: Path, resources: Resources
) -> None:
    settings = fixture_settings(data_dir, WIDEST, depth=Depth.DEEP, faults=(fault,), phase_timeouts=timeouts)
    result = run_engine(str(talk_media("health_diet")), settings, resources)
    assert result.status is Status.FAILED
    steps = {s.name: s for s in result.steps}
    # It gave up when the step did, not when the abandoned (slowed) decoder would have finished.
    assert steps["claim_extraction"].end_s < steps["transcribe"].start_s + 5.0
    statuses = {name: s.status for name, s in steps.items()}
    assert statuses["transcribe"] == "failed" and statuses["claim_extraction"] == "failed"
    assert statuses["verification_integration"] == "skipped"
    assert any("transcription did not succeed" in e.message for e in result.errors)


def test_following_the_decoder_yields_every_finished_sentence_of_a_long_talk_once(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The window re-splits only the latest segments, yet finds the sentences a whole-transcript split finds
    (the sentences claim extraction spots and the analysers and shards embed while the decoder runs), and
    however many steps follow, each new segment is split once, by whichever follower sees it first."""
    from autointel.model import Transcript
    from autointel.phases import text
    from autointel.phases.text import split_sentences

    splits: list[int] = []

    def counted(segments: Any) -> Any:
        splits.append(len(segments))
        return finished_sentences(segments)

    monkeypatch.setattr(text, "finished_sentences", counted)
    sentences = [f"In {2000 + i} the city spent {i * 3} million dollars on buses, said Dr. Lee, and ridership "
                 f"grew by {i} percent." if i % 3 else f"Is line {i} late again?" for i in range(40)]
    words = " ".join(sentences).split()
    segments = tuple(Segment(i * 2.0, i * 2.0 + 2.0, " ".join(words[i * 7:(i + 1) * 7]))
                     for i in range((len(words) + 6) // 7))  # sentences cross segment boundaries
    assert len(segments) > 4 * text.WINDOW_SEGMENTS
    feed = SegmentFeed()
    seen: list[list[str]] = [[] for _ in range(7)]  # the widest DAG's followers: three analysers, four shards
    followers = [threading.Thread(target=lambda mine=mine: [mine.extend(s.text for s in fresh)
                                                            for fresh in feed.follow_sentences(threading.Event())])
                 for mine in seen]
    for follower in followers:
        follower.start()
    for segment in segments:
        feed.put(segment)
        time.sleep(0.002)
    feed.close(ok=True)
    for follower in followers:
        follower.join(10.0)
    whole = split_sentences(Transcript(" ".join(s.text for s in segments), segments, "en", 1.0))
    assert len(whole) == 40
    for mine in seen:  # each finished sentence once, in order; the last is unfinished
        assert mine == [s.text for s in whole[:-1]]
    assert 0 < len(splits) <= len(segments)  # not once per follower
    assert max(splits) <= text.WINDOW_SEGMENTS


def test_a_growing_transcript_finds_each_sentence_once_even_when_the_talk_repeats_itself() -> None:
    """The bench's long media repeat their talks: a sentence said again later is a new sentence, not a repeat."""
    from autointel.model import Transcript
    from autointel.phases.text import GrowingTranscript, split_sentences

    talk = [f"Line {i} ran {i} minutes late." if i % 2 else "Thank you." for i in range(12)] * 6
    words = " ".join(talk).split()
    segments = tuple(Segment(i * 2.0, i * 2.0 + 2.0, " ".join(words[i * 5:(i + 1) * 5]))
                     for i in range((len(words) + 4) // 5))
    growing, found = GrowingTranscript(), []
    for upto in range(1, len(segments) + 1):
        found += growing.update(segments[:upto])
    assert growing.update(segments) == ()  # nothing new: nothing twice
    whole = split_sentences(Transcript(" ".join(s.text for s in segments), segments, "en", 1.0))
    assert found == list(whole[:-1]) and [s.text for s in found].count("Thank you.") == 36


def test_a_step_that_never_ran_its_tool_still_releases_its_followers_and_the_first_close_decides() -> None:
    """An engine calls release_followers once a step is over (skipped, or its agent failed before the tool)."""
    from autointel.engines.context import RunContext
    from autointel.engines.steps import release_followers
    from autointel.settings import load_settings

    ctx = RunContext("x", load_settings({}), resources=None)  # type: ignore[arg-type]  # no step runs here
    plan = build_plan(Depth.EXPERIMENTAL, WIDEST)
    release_followers(ctx, plan.step("transcribe"))  # never ran: its followers fail instead of waiting
    with pytest.raises(PhaseError, match="transcription did not succeed"):
        list(ctx.transcript_feed.follow(threading.Event()))
    release_followers(ctx, plan.step("claim_extraction"), succeeded=True)  # run_step closed it after the tool
    release_followers(ctx, plan.step("claim_extraction"))  # the engine's second close changes nothing
    ctx.claims_feed.wait(threading.Event())
    release_followers(ctx, plan.step("text_analysis"))  # a step nothing streams has no feed: a no-op
    from autointel.engines.plan import STREAMABLE

    assert [k for k in STREAMABLE if ctx.feed_of(k) is None] == []  # every streamable step has its feed
    assert {s.kind for s in plan.steps if ctx.feed_of(s.kind) is not None} == set(STREAMABLE)
