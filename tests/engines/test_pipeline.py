"""The orchestrator end to end on the labelled fixtures: quality, persistence, flags, equivalence."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from autointel.engines import run_engine
from autointel.engines.resources import Resources
from autointel.memory.store import recall
from autointel.model import RunResult, Status, StepRecord, Verdict, to_jsonable
from autointel.phases.acquisition import AcquisitionLimits, acquire, sha256_file
from autointel.phases.evaluation import claim_matches, fallacy_counts, word_error_rate
from autointel.settings import Depth, Flags
from tests.helpers import FIXTURES, fixture_settings, talk_media

pytestmark = pytest.mark.slow


def test_every_talk_runs_to_ok_with_every_section(talk_runs: dict[str, RunResult]) -> None:
    for stem, result in talk_runs.items():
        assert result.status is Status.OK, (stem, result.errors)
        assert result.media and result.media.duration_s > 30
        assert result.transcript and result.transcript.segments and 0 < result.transcript.quality <= 1
        assert result.analysis and result.analysis.summary and result.analysis.themes
        assert result.verification and result.verification.claims
        assert 0 <= result.verification.trust_score <= 100
        assert result.deception_score is not None and 0 <= result.deception_score <= 1
        assert result.integration and result.integration.memory and result.integration.graph
        assert result.briefing is not None
        for heading in ("Overview", "Key Insights", "Themes", "Perspectives", "Fallacies", "Verified Claims",
                        "Conclusion"):
            assert f"## {heading}" in result.briefing
        assert [p.name for p in result.phases] == [
            "acquisition", "transcription", "analysis", "verification", "integration", "briefing"]


@pytest.mark.parametrize("stem", ["city_transit", "energy_policy", "health_diet"])
def test_transcription_word_error_rate(stem: str, talk_runs: dict[str, RunResult], labels: dict[str, Any]) -> None:
    script = (FIXTURES.parent / labels[stem]["script"]).read_text()
    transcript = talk_runs[stem].transcript
    assert transcript is not None
    assert word_error_rate(script, transcript.text) <= 0.25


def test_fallacy_precision_and_recall(talk_runs: dict[str, RunResult], labels: dict[str, Any]) -> None:
    counts = [fallacy_counts(r.analysis.fallacies if r.analysis else (), labels[stem]["fallacies"])
              for stem, r in talk_runs.items()]
    total = functools.reduce(lambda a, b: a + b, counts)
    assert total.precision >= 0.6 and total.recall >= 0.6, total


def test_claim_verdict_accuracy(talk_runs: dict[str, RunResult], labels: dict[str, Any]) -> None:
    pairs = [pair for stem, r in talk_runs.items()
             for pair in claim_matches(r.verification.claims if r.verification else (), labels[stem]["claims"])]
    correct = sum(1 for label, claim in pairs if claim is not None and claim.verdict.value == label["verdict"])
    assert len(pairs) == sum(len(t["claims"]) for t in labels.values())
    decisive = [(label, c) for label, c in pairs if c is not None and c.verdict is not Verdict.UNVERIFIABLE]
    wrong = [(label["text"], c.verdict) for label, c in decisive if c.verdict.value != label["verdict"]]
    assert len(decisive) >= 2 and wrong == []  # on speech-recognised text too: it abstains rather than guess
    assert correct / len(pairs) >= 0.4, [(label["text"], claim and claim.verdict) for label, claim in pairs]


def test_rerun_of_the_same_media_changes_no_counts(
    talk_runs: dict[str, RunResult], data_dir: Path, resources: Resources
) -> None:
    first = talk_runs["city_transit"].integration
    again = run_engine(str(talk_media("city_transit")), fixture_settings(data_dir), resources).integration
    assert first and again and first.memory and again.memory and first.graph and again.graph
    assert again.memory.points_written == 0 and again.graph.nodes_written == 0 and again.graph.edges_written == 0
    stored_points = resources.vectors().count("transcripts")
    stored_nodes = resources.graph().node_count
    assert (again.memory.points_total, again.graph.nodes_total) == (stored_points, stored_nodes)


def test_recall_finds_the_chunk_that_holds_the_answer(talk_runs: dict[str, RunResult], resources: Resources) -> None:
    result = talk_runs["energy_policy"]
    assert result.transcript is not None
    target = max(result.transcript.segments, key=lambda s: len(s.text))
    hits = recall(resources.vectors(), resources.embedder(), target.text, limit=3)
    assert hits and hits[0]["title"] == result.media.title if result.media else False
    assert target.text[:40].lower() in hits[0]["text"].lower()


@pytest.fixture()
def media_server() -> Iterator[str]:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(FIXTURES / "media"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_acquisition_through_yt_dlp_from_a_local_http_server(media_server: str, tmp_path: Path) -> None:
    local = talk_media("city_transit")
    limits = AcquisitionLimits(max_bytes=10**9, max_duration_s=3600, allow_private_network=True)
    media = acquire(f"{media_server}/{local.name}", limits, tmp_path)
    assert media.platform.lower() == "generic"
    assert media.sha256 == sha256_file(local)
    assert media.duration_s > 30 and Path(media.path).parent == tmp_path


def test_loopback_urls_are_refused_without_the_override(media_server: str, tmp_path: Path) -> None:
    from autointel.errors import InputError

    limits = AcquisitionLimits(max_bytes=10**9, max_duration_s=3600)
    with pytest.raises(InputError, match=r"non-public address 127\.0\.0\.1"):
        acquire(f"{media_server}/x.mp3", limits, tmp_path)
    assert not any(tmp_path.iterdir())


def _overlap(a: StepRecord, b: StepRecord) -> bool:
    return a.start_s < b.end_s and b.start_s < a.end_s


def _spans(result: RunResult, names: set[str]) -> list[StepRecord]:
    return [s for s in result.steps if s.name in names or (s.name.startswith("fact_check") and "fact_check" in names)]


@pytest.fixture(scope="module")
def flag_runs(tmp_path_factory: pytest.TempPathFactory, resources: Resources) -> dict[str, RunResult]:
    """Each combination on a fresh data dir, so every run does the same writes (models are shared). The
    steps whose overlap is checked are held 0.2 s by an injected delay: fact-check shards take milliseconds,
    so without it their overlap would be timing luck."""
    from autointel.faults import parse_faults
    from autointel.settings import fault_targets

    source = str(talk_media("health_diet"))
    held = parse_faults("analysis:slow=0.2s,fact_check:slow=0.2s,memory_store:slow=0.2s,graph_build:slow=0.2s",
                        fault_targets())
    runs = {}
    for flags in (Flags(), Flags(parallel_analysis=True), Flags(parallel_fact_checking=True),
                  Flags(parallel_memory_ops=True), Flags(True, True, True)):
        settings = fixture_settings(tmp_path_factory.mktemp(flags.name), flags, fact_check_workers=3,
                                    faults=held)
        with Resources(settings, models_from=resources) as fresh:
            runs[flags.name] = run_engine(source, settings, fresh)
    return runs


def test_baseline_runs_strictly_one_step_at_a_time(flag_runs: dict[str, RunResult]) -> None:
    steps = flag_runs["baseline"].steps
    assert all(s.status == "ok" for s in steps)
    assert not any(_overlap(a, b) for i, a in enumerate(steps) for b in steps[i + 1:])


@pytest.mark.parametrize(("combo", "group"), [
    ("analysis", {"text_analysis", "fallacy_detection", "perspective_synthesis"}),
    ("fact_checking", {"fact_check"}),
    ("memory_ops", {"memory_store", "graph_build"}),
])
def test_each_flag_makes_its_steps_overlap(flag_runs: dict[str, RunResult], combo: str, group: set[str]) -> None:
    spans = _spans(flag_runs[combo], group)
    assert len(spans) >= 2
    assert any(_overlap(a, b) for i, a in enumerate(spans) for b in spans[i + 1:]), spans
    others = [s for s in flag_runs[combo].steps if s not in spans]
    assert not any(_overlap(a, b) for i, a in enumerate(others) for b in others[i + 1:])


def test_all_flags_overlap_memory_storage_with_analysis(flag_runs: dict[str, RunResult]) -> None:
    steps = {s.name: s for s in flag_runs["all"].steps}
    analysis = [steps[n] for n in ("text_analysis", "fallacy_detection", "perspective_synthesis")]
    assert any(_overlap(steps["memory_store"], a) for a in analysis)


def test_analysis_and_verification_are_identical_with_flags_on_and_off(flag_runs: dict[str, RunResult]) -> None:
    def payload(result: RunResult) -> Any:
        return to_jsonable((result.transcript, result.analysis, result.verification, result.deception_score))

    baseline = payload(flag_runs["baseline"])
    for name, result in flag_runs.items():
        assert result.status is Status.OK, (name, result.errors)
        assert result.flags == Flags.parse_combo(name).record()
        assert payload(result) == baseline, name


def test_standard_depth_stops_after_analysis(resources: Resources, data_dir: Path) -> None:
    result = run_engine(str(talk_media("health_diet")), fixture_settings(data_dir, depth=Depth.STANDARD), resources)
    assert result.status is Status.OK and result.analysis is not None
    assert result.verification is None and result.integration is None and result.briefing is None


@pytest.mark.parametrize("flags", [Flags(), Flags(True, True, True)], ids=["baseline", "all"])
def test_pipeline_waits_one_profile_turn_per_step_before_it(flags: Flags, data_dir: Path,
                                                            resources: Resources) -> None:
    """The engines meet the same LLM waiting: the pipeline takes the turn the offline LLM takes per CrewAI task."""
    settings = fixture_settings(data_dir, flags, depth=Depth.STANDARD, llm_profile="fixed-0.3")
    result = run_engine(str(talk_media("health_diet")), settings, resources)
    assert result.status is Status.OK, result.errors
    info = result.crew or {}
    calls = info["llm"]["calls"]  # type: ignore[index]
    assert sorted(c["task"] for c in calls) == sorted(s.name for s in result.steps)
    assert all(c["latency_s"] >= 0.3 for c in calls)
    turns = {c["task"]: c for c in calls}
    timings = {t["name"]: t for t in info["task_timings"]}  # type: ignore[attr-defined]
    for step in result.steps:  # the turn comes first, inside the task's span; the step runs after it
        turn, task = turns[step.name], timings[step.name]
        assert task["start_s"] <= turn["start_s"] and turn["end_s"] <= step.start_s + 0.01
        assert step.end_s <= task["end_s"] + 0.01 and task["status"] == "ok"


def test_pipeline_takes_no_turns_with_a_real_provider_configured(
        tmp_path: Path, resources: Resources, monkeypatch: pytest.MonkeyPatch) -> None:
    """The provider writes the LLM parts here (a closed loopback port: each part falls back), never a profile turn."""
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    settings = fixture_settings(tmp_path, depth=Depth.STANDARD, llm_profile="fixed-0.3", llm="openai/gpt-4o-mini",
                                llm_base_url="http://127.0.0.1:9/v1", llm_retries=0)
    with Resources(settings, models_from=resources) as own:
        result = run_engine(str(talk_media("health_diet")), settings, own)
    llm = (result.crew or {})["llm"]
    assert result.status is Status.OK and llm["profile"] == "instant"  # type: ignore[index]
    assert all(c["latency_s"] < 0.3 for c in llm["calls"])  # type: ignore[index]
    assert result.writing is not None and all(p.status == "fallback" for p in result.writing.parts)
