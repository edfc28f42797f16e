"""`autointel llm serve` as a real process: it serves until Ctrl-C (or `kill`), then leaves no server behind."""

from __future__ import annotations

import json
import select
import signal
import subprocess
import sys
import time
import urllib.request
from typing import Any

import psutil
import pytest

from autointel.cli import main
from autointel.llm.server import MODEL_NAME
from tests.helpers import free_port

pytest.importorskip("llama_cpp")  # the command needs the local-llm extra; CI installs it

START_TIMEOUT_S = 60.0
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _serve(port: int) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "autointel.cli", "llm", "serve", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _first_line(cli: subprocess.Popen[str]) -> str:
    assert cli.stdout is not None
    ready, _, _ = select.select([cli.stdout], [], [], START_TIMEOUT_S)
    if not ready:
        cli.kill()
        pytest.fail("autointel llm serve printed nothing within the start timeout")
    return cli.stdout.readline().strip()


def _models(base_url: str) -> Any:
    with _OPENER.open(f"{base_url}/models", timeout=30) as response:
        return json.load(response)


def _server_of(cli: subprocess.Popen[str]) -> psutil.Process:
    (child,) = psutil.Process(cli.pid).children()
    assert "autointel.llm.server_child" in child.cmdline()  # llama_cpp.server, watching its parent
    return child


def _finish(cli: subprocess.Popen[str]) -> tuple[int, str, str]:
    try:
        out, err = cli.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        cli.kill()
        raise
    return cli.returncode, out, err


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "kill"])
def test_serve_until_interrupted_then_nothing_is_left(stop_signal: signal.Signals) -> None:
    port = free_port()
    cli = _serve(port)
    try:
        first = _first_line(cli)
        base_url = f"http://127.0.0.1:{port}/v1"
        assert first == f"autointel: serving {MODEL_NAME} at {base_url}"
        assert cli.stdout is not None
        assert cli.stdout.readline().strip() == f"export AUTOINTEL_LLM=local AUTOINTEL_LLM_BASE_URL={base_url}"
        assert [m["id"] for m in _models(base_url)["data"]] == [MODEL_NAME]
        server = _server_of(cli)
        cli.send_signal(stop_signal)
        code, _, err = _finish(cli)
    finally:
        if cli.poll() is None:
            cli.kill()
    assert code == 0, err
    assert "Traceback" not in err
    assert not psutil.pid_exists(server.pid) or server.status() == psutil.STATUS_ZOMBIE


def test_a_server_that_dies_ends_the_command_with_one_line() -> None:
    cli = _serve(free_port())
    try:
        _first_line(cli)
        server = _server_of(cli)
        server.kill()
        code, _, err = _finish(cli)
    finally:
        if cli.poll() is None:
            cli.kill()
    assert code == 1
    assert err.count("\n") == 1 and "stopped on its own (killed by SIGKILL)" in err and "Traceback" not in err


@pytest.mark.parametrize(("args", "message"), [
    (["--n-ctx", "10"], "context size 10"),
    (["--threads", "0"], "threads 0"),
    (["--port", "70000"], "port 70000"),
    (["--model", "/no/such/model.gguf"], "does not exist"),
])
def test_bad_options_are_one_line_and_exit_2(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    started = time.monotonic()
    code = main(["llm", "serve", *args])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert message in err and err.count("\n") == 1 and "Traceback" not in err
    assert time.monotonic() - started < 5  # refused before any server is started
