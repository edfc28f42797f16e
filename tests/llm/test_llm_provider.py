"""A real provider path, offline: CrewAI's own OpenAI client against a fake OpenAI-compatible server.

The server answers in CrewAI's ReAct text protocol (like the offline backend), fails the first calls
with 500 and 429 to exercise the client's retries, and the run records a replay profile.
"""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from autointel.engines import run_engine
from autointel.engines.resources import Resources
from autointel.llm.profiles import load_profile
from autointel.model import Status
from autointel.settings import Depth, Flags
from tests.helpers import fixture_settings, talk_media


def reply(body: dict[str, Any]) -> dict[str, Any]:
    """Native function calling: call the task's one tool, then answer with what it returned."""
    messages = body.get("messages", [])
    results = [m for m in messages if m.get("role") == "tool"]
    if results:
        return {"role": "assistant", "content": str(results[-1].get("content", ""))}
    tools = body.get("tools") or []
    if not tools:
        # text protocol, as CrewAI uses without tools support
        from autointel.engines.crewai_adapter.offline import OfflineLLM

        answer = OfflineLLM._answer(messages, [str(m.get("content", "")) for m in messages])
        return {"role": "assistant", "content": answer}
    name = tools[0]["function"]["name"]
    call = {"id": "call_1", "type": "function", "function": {"name": name, "arguments": "{}"}}
    return {"role": "assistant", "content": None, "tool_calls": [call]}


class FakeOpenAI(http.server.BaseHTTPRequestHandler):
    failures = [500, 429]  # the first two requests fail, then every request succeeds
    requests: list[dict[str, Any]] = []
    lock = threading.Lock()

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        with self.lock:
            FakeOpenAI.requests.append({"path": self.path, "auth": self.headers.get("Authorization", ""),
                                        "writing": "response_format" in body})
            failure = FakeOpenAI.failures.pop(0) if FakeOpenAI.failures else None
        if failure is not None:
            self._send(failure, {"error": {"message": "try again", "type": "server_error", "code": str(failure)}},
                       {"retry-after-ms": "10"})
            return
        self._send(200, {
            "id": "chatcmpl-fake", "object": "chat.completion", "created": 0, "model": body.get("model", "fake"),
            "choices": [{"index": 0, "message": reply(body), "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18},
        })

    def _send(self, code: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def fake_openai() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FakeOpenAI)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()


@pytest.mark.slow
def test_openai_provider_runs_retries_and_records_a_profile(
    fake_openai: str, tmp_path: Path, resources: Resources, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "sk-fake" + "k9" * 12
    monkeypatch.setenv("OPENAI_API_KEY", secret)
    record = tmp_path / "recorded.json"
    settings = fixture_settings(tmp_path / "data", Flags(parallel_analysis=True), engine="crew", depth=Depth.STANDARD,
                                llm="openai/gpt-4o-mini", llm_base_url=fake_openai, llm_record=record, llm_retries=3)
    with Resources(settings, models_from=resources) as own:
        result = run_engine(str(talk_media("health_diet")), settings, own)
    assert result.status is Status.OK, result.errors
    assert result.analysis is not None and result.analysis.fallacies
    paths = {r["path"] for r in FakeOpenAI.requests}
    assert paths == {"/v1/chat/completions"}
    assert all(r["auth"] == f"Bearer {secret}" for r in FakeOpenAI.requests)
    tasks = len(result.crew["tasks"])  # type: ignore[index]
    agents = [r for r in FakeOpenAI.requests if not r["writing"]]
    assert len(agents) == tasks + 2  # one call per task (the tool answers); two failed attempts retried
    writing = result.writing  # the model was asked for the LLM parts too, with OpenAI's strict JSON schema
    assert writing is not None and {p.name for p in writing.parts} == {"summary", "fallacy_review"}
    assert len(writing.calls) == len(FakeOpenAI.requests) - len(agents) > 0
    assert all(p.status == "fallback" and "JSON" in p.reason for p in writing.parts)  # it answered in ReAct text
    calls = result.crew["llm"]["calls"]  # type: ignore[index]
    assert len(calls) == tasks and all(c["prompt_tokens"] == 11 for c in calls)
    profile = load_profile(str(record))
    assert profile.kind == "replay" and len(profile.samples_s) == tasks
    assert "gpt-4o-mini" in profile.source and secret not in record.read_text()
