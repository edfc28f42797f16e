"""End to end with a real LLM: llama.cpp's server (SmolLM2-135M) writing the briefing's LLM parts in every engine,
depth and flag combination, and what happens when the server is slow, killed, or answers nonsense."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from autointel.bench.evidence import digest_of
from autointel.engines import run_engine
from autointel.engines.resources import Resources
from autointel.llm.server import LocalServer, ServerConfig, shipped_model
from autointel.model import RunResult, Status
from autointel.model.progress import ProgressEvent, StepStarted
from autointel.model.result import FALLBACK, PART_NAMES, WRITTEN
from autointel.phases.writing.grounding import find_quote
from autointel.settings import Depth, Flags
from tests.helpers import fixture_settings, talk_media

pytest.importorskip("llama_cpp")

SOURCE = str(talk_media("city_transit"))
ALL_ON = next(f for f in Flags.all_combinations() if f.name == "all")
# The steps whose LLM part each depth's plan runs (text_analysis and fallacy_detection at every depth).
PARTS_BY_DEPTH = {Depth.STANDARD: {"summary", "fallacy_review"},
                  Depth.DEEP: {"summary", "fallacy_review", "verdicts"},
                  Depth.COMPREHENSIVE: set(PART_NAMES), Depth.EXPERIMENTAL: set(PART_NAMES)}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    with LocalServer(ServerConfig(shipped_model()), tmp_path_factory.mktemp("llm") / "server.log") as running:
        yield running


@pytest.fixture(scope="module")
def offline_digest(tmp_path_factory: pytest.TempPathFactory, resources: Resources) -> dict[str, Any]:
    settings = fixture_settings(tmp_path_factory.mktemp("offline"))
    with Resources(settings, models_from=resources) as own:
        result = run_engine(SOURCE, settings, own)
    assert result.writing is None  # the offline default writes nothing: CI and the benches stay exact
    return digest_of(result)


def _run(tmp: Path, resources: Resources, base_url: str, **overrides: Any) -> RunResult:
    settings = fixture_settings(tmp, llm="local", llm_base_url=base_url, **overrides)
    with Resources(settings, models_from=resources) as own:
        return run_engine(SOURCE, settings, own)


def _check_validated(result: RunResult, parts: set[str]) -> None:
    """Every part ran and ended written or fell back with a reason; whatever was written holds up."""
    writing = result.writing
    assert writing is not None
    assert {p.name for p in writing.parts} == parts
    for part in writing.parts:
        assert part.status in (WRITTEN, FALLBACK)
        assert part.status == WRITTEN or part.reason
    assert writing.usage.calls == len(writing.calls) > 0
    assert writing.usage.prompt_tokens == sum(c.prompt_tokens for c in writing.calls) > 0
    assert result.verification is not None or "verdicts" not in parts
    claims = result.verification.claims if result.verification else ()
    for verdict in writing.verdicts:
        evidence = [e.text for e in claims[verdict.claim_index].evidence]
        assert verdict.quote == "" or find_quote(verdict.quote, evidence) is not None
        assert verdict.agrees == (verdict.verdict is claims[verdict.claim_index].verdict)
    sentences = result.transcript.text if result.transcript else ""
    for added in writing.fallacy_review.added if writing.fallacy_review else ():
        assert added.quote in sentences
    if "briefing" in parts:  # the depths that brief show each part's outcome in the briefing
        assert result.briefing is not None and "## LLM parts" in result.briefing


@pytest.mark.parametrize("engine", ["pipeline", "flow", "crew"])
def test_every_engine_ends_ok_with_validated_llm_parts_and_the_local_results_unchanged(
        engine: str, server: LocalServer, resources: Resources, offline_digest: dict[str, Any],
        tmp_path: Path) -> None:
    assert server.base_url is not None
    result = _run(tmp_path, resources, server.base_url, engine=engine, flags=ALL_ON)
    assert result.status is Status.OK, result.errors
    _check_validated(result, set(PART_NAMES))
    assert any(p.status == WRITTEN for p in result.writing.parts)  # type: ignore[union-attr]
    local = {k: v for k, v in digest_of(result).items() if k != "llm_parts"}
    assert local == offline_digest  # the model's text sits beside the local results, never in their place


@pytest.mark.parametrize("depth", [Depth.STANDARD, Depth.DEEP, Depth.EXPERIMENTAL])
def test_each_depth_writes_the_parts_of_its_steps(depth: Depth, server: LocalServer, resources: Resources,
                                                  tmp_path: Path) -> None:
    assert server.base_url is not None
    result = _run(tmp_path, resources, server.base_url, depth=depth)
    assert result.status is Status.OK, result.errors
    _check_validated(result, PARTS_BY_DEPTH[depth])


@pytest.mark.parametrize("flags", list(Flags.all_combinations()), ids=lambda f: f.name)
def test_every_flag_combination_on_the_flow_engine(flags: Flags, server: LocalServer, resources: Resources,
                                                   tmp_path: Path) -> None:
    assert server.base_url is not None
    result = _run(tmp_path, resources, server.base_url, engine="flow", depth=Depth.DEEP, flags=flags)
    assert result.status is Status.OK, result.errors
    _check_validated(result, PARTS_BY_DEPTH[Depth.DEEP])


def test_a_call_timeout_makes_every_part_fall_back_after_one_wait(server: LocalServer, resources: Resources,
                                                                  tmp_path: Path) -> None:
    assert server.base_url is not None
    result = _run(tmp_path, resources, server.base_url, llm_timeout_s=0.001, llm_retries=0)
    assert result.status is Status.OK
    writing = result.writing
    assert writing is not None and all(p.status == FALLBACK for p in writing.parts)
    assert not any(c.ok for c in writing.calls)
    assert len(writing.calls) <= 2  # a timed-out server is not asked again (two parts may be asking at once)
    assert any("unavailable since an earlier call failed" in p.reason for p in writing.parts)
    assert any(w.startswith("LLM ") for w in result.warnings)


def test_a_server_killed_mid_run_leaves_the_written_parts_and_the_rest_fall_back(
        resources: Resources, tmp_path: Path) -> None:
    with LocalServer(ServerConfig(shipped_model()), tmp_path / "server.log") as own:
        assert own.base_url is not None and own.pid is not None
        pid = own.pid

        def kill_at_claims(event: ProgressEvent) -> None:
            if isinstance(event, StepStarted) and event.name == "claim_extraction":
                os.killpg(pid, signal.SIGKILL)

        settings = fixture_settings(tmp_path / "data", llm="local", llm_base_url=own.base_url, depth=Depth.DEEP)
        with Resources(settings, models_from=resources) as res:
            result = run_engine(SOURCE, settings, res, progress=kill_at_claims)
    assert result.status is Status.OK, result.errors
    writing = result.writing
    assert writing is not None
    before = [c for c in writing.calls if c.part in ("summary", "fallacy_review")]
    assert before and all(c.ok for c in before)
    verdicts = next(p for p in writing.parts if p.name == "verdicts")
    assert verdicts.status == FALLBACK and "Connection" in verdicts.reason


class _Nonsense(BaseHTTPRequestHandler):
    """An OpenAI-compatible endpoint at the wire (the seam behind `OpenAIChat`) whose answers are empty, prose or
    JSON without the fields asked for, in turn."""

    answers = ("", "Sure! Here is the summary you asked for.", '{"unexpected": true}')
    count = 0

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        content = self.answers[type(self).count % len(self.answers)]
        type(self).count += 1
        body = json.dumps({"id": "x", "object": "chat.completion", "created": 0, "model": "m",
                           "choices": [{"index": 0, "finish_reason": "stop",
                                        "message": {"role": "assistant", "content": content}}],
                           "usage": {"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def test_empty_and_malformed_answers_fall_back_part_by_part(resources: Resources, tmp_path: Path) -> None:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Nonsense)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        result = _run(tmp_path, resources, f"http://127.0.0.1:{httpd.server_address[1]}/v1")
    finally:
        httpd.shutdown()
    assert result.status is Status.OK
    writing = result.writing
    assert writing is not None and all(p.status == FALLBACK for p in writing.parts)
    reasons = " ".join(p.reason for p in writing.parts)
    assert "empty answer" in reasons and "not a JSON object" in reasons
    assert writing.usage.prompt_tokens == 7 * len(writing.calls)
    assert result.analysis is not None and result.briefing is not None and result.analysis.summary in result.briefing


def test_the_cli_starts_and_stops_its_own_server(tmp_path: Path) -> None:
    """`AUTOINTEL_LLM=local autointel run ...` with no base URL: the run starts llama.cpp, and stops it."""
    env = {**os.environ, "AUTOINTEL_LLM": "local", "AUTOINTEL_DATA_DIR": str(tmp_path / "data"),
           "XDG_DATA_HOME": str(tmp_path / "xdg"), "AUTOINTEL_DEPTH": "standard"}
    env.pop("AUTOINTEL_LLM_BASE_URL", None)
    done = subprocess.run([sys.executable, "-m", "autointel.cli", "run", str(talk_media("city_transit")),
                           "--format", "json"], env=env, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    writing = json.loads(done.stdout)["writing"]
    assert writing["model"] == "smollm2-135m-instruct-q4_1" and writing["usage"]["calls"] > 0
    log = (tmp_path / "data" / "llm-server-0.log").read_text()
    assert "Uvicorn running" in log or "Application startup complete" in log
    assert "Application shutdown complete" in log or "Finished server process" in log


def test_local_needs_the_extra_named_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """`importlib.util.find_spec` is the seam: it answers as on a machine without the local-llm extra."""
    from autointel.errors import InputError
    from autointel.llm import server as server_module
    from autointel.llm.backend import check_backend

    monkeypatch.setattr(server_module, "find_spec", lambda name: None)
    with pytest.raises(InputError, match=r"local-llm"):
        check_backend("local", None, {})
    check_backend("local", "http://127.0.0.1:8765/v1", {})  # a server already running needs nothing here

