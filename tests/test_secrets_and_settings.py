"""Issue 32, items 2 and 10: no API key on any output, one-line configuration errors, bounded provider waits,
settings validated by one rule per setting, quiet metrics server, inert Markdown."""

from __future__ import annotations

import http.server
import io
import json
import logging
import os
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from autointel.errors import InputError, SettingsError
from autointel.llm.guard import ProviderGuard, ProviderUnavailable, is_fatal
from autointel.llm.profiles import load_profile
from autointel.measurement.log_redaction import RedactingFilter, RedactingStream, ThirdPartyGate, guarded_output
from autointel.monitoring import serve
from autointel.preflight import check_evidence_sizes
from autointel.rendering.markdown import render_session_markdown
from autointel.settings import Settings, load_settings
from tests.helpers import ROOT

KEY = "sk-test-" + "Zq7" * 10
SILENCE = ROOT / "fixtures" / "media" / "silence.wav"


def cli_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AUTOINTEL_", "OPENAI_"))}
    env |= {"HOME": str(tmp_path / "home"), "XDG_DATA_HOME": str(tmp_path / "xdg"),
            "XDG_CONFIG_HOME": str(tmp_path / "xdgc"), "AUTOINTEL_DATA_DIR": str(tmp_path / "data")}
    return env | extra


def autointel(args: list[str], env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "autointel.cli", *args], env=env, capture_output=True,
                          text=True, timeout=timeout, check=False)


def assert_one_line_usage_error(proc: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert all(n in proc.stderr for n in needles), proc.stderr


# --- item 10: CLI numbers and environment numbers follow one rule ---

@pytest.mark.parametrize(("flag", "value"), [("--max-duration", "nan"), ("--max-duration", "-5"),
                                             ("--max-duration", "inf"), ("--max-duration", "1e300"),
                                             ("--max-bytes", "-1"), ("--max-bytes", "lots")])
def test_cli_limits_are_checked_like_the_environment(flag: str, value: str, tmp_path: Path) -> None:
    proc = autointel(["run", str(SILENCE), flag, value], cli_env(tmp_path))
    assert_one_line_usage_error(proc, flag)
    var = {"--max-duration": "AUTOINTEL_MAX_DURATION", "--max-bytes": "AUTOINTEL_MAX_BYTES"}[flag]
    with pytest.raises(SettingsError, match=var):
        load_settings({var: value})


@pytest.mark.parametrize(("var", "value"), [("AUTOINTEL_LLM_TIMEOUT", "inf"), ("AUTOINTEL_LLM_TIMEOUT", "0"),
                                            ("AUTOINTEL_LOCK_TIMEOUT", "nan"), ("AUTOINTEL_LLM_RETRIES", "1000"),
                                            ("AUTOINTEL_FAULTS", "memory:slow=100000000000000000000s"),
                                            ("AUTOINTEL_PHASE_TIMEOUTS", "analysis=inf")])
def test_infinite_and_huge_waits_are_refused_up_front(var: str, value: str, tmp_path: Path) -> None:
    proc = autointel(["run", str(SILENCE)], cli_env(tmp_path, **{var: value}))
    assert_one_line_usage_error(proc)


def test_settings_in_code_meet_the_same_rules() -> None:
    for bad in ({"llm_timeout_s": float("inf")}, {"max_duration_s": float("nan")}, {"crew_timeout_s": -1.0},
                {"llm_seed": "7"}, {"fact_check_workers": 0}):
        with pytest.raises(SettingsError):
            Settings(**bad)
    assert Settings(lock_timeout_s=0.0).lock_timeout_s == 0.0  # zero wait is meaningful for the lock


# --- item 10: profile files, field by field ---

@pytest.mark.parametrize(("content", "suffix", "field"), [
    ("[1, 2]", ".json", "JSON object"),
    ('{"concurrency": -1}', ".json", "'concurrency'"),
    ('{"rpm": -5}', ".json", "'rpm'"),
    ('{"seed": "abc"}', ".json", "'seed'"),
    ('{"median_s": NaN}', ".json", "'median_s'"),
    ('{"sigma": 1e9}', ".json", "'sigma'"),
    ('{"kind": "replay"}', ".json", "'samples_s'"),
    ('{"colour": 1}', ".json", "'colour'"),
    ("concurrency = 2.5", ".toml", "'concurrency'"),
    ("{not json", ".json", "cannot be read"),
])
def test_bad_profile_files_name_the_field(content: str, suffix: str, field: str, tmp_path: Path) -> None:
    path = tmp_path / f"profile{suffix}"
    path.write_text(content)
    with pytest.raises(InputError, match=field):
        load_profile(str(path))
    proc = autointel(["run", str(SILENCE)], cli_env(tmp_path, AUTOINTEL_LLM_PROFILE=str(path)))
    assert_one_line_usage_error(proc, str(path))


def test_a_good_profile_file_still_loads(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text('kind = "lognormal"\nmedian_s = 0.5\nsigma = 0.3\nconcurrency = 4\nrpm = 60\nseed = 3\n')
    profile = load_profile(str(path))
    assert (profile.name, profile.kind, profile.concurrency, profile.rpm, profile.seed) == ("p", "lognormal", 4, 60, 3)


# --- item 10: evidence size caps ---

def test_evidence_over_the_per_file_cap_is_named(tmp_path: Path) -> None:
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    (evidence / "small.txt").write_text("A short fact.")
    (evidence / "huge.md").write_text("x" * 5000)
    proc = autointel(["run", str(SILENCE), "--evidence", str(evidence)],
                     cli_env(tmp_path, AUTOINTEL_MAX_EVIDENCE_FILE_BYTES="1000"))
    assert_one_line_usage_error(proc, "huge.md", "per-file cap")


def test_evidence_over_the_total_cap_is_refused(tmp_path: Path) -> None:
    for i in range(3):
        (tmp_path / f"doc{i}.txt").write_text("y" * 400)
    with pytest.raises(SettingsError, match=r"doc2\.txt"):
        check_evidence_sizes(tmp_path, 1000, 1000)
    check_evidence_sizes(tmp_path, 1000, 1200)  # exactly at the cap passes


# --- item 2: provider configuration errors up front ---

@pytest.mark.parametrize(("llm", "extra", "needle"), [
    ("openai/gpt-4o-mini", {}, "OPENAI_API_KEY"),
    ("banana", {}, "provider/model"),
    ("nosuch/model-1", {}, "unknown provider 'nosuch'"),
    ("openai/banana", {"OPENAI_API_KEY": KEY}, "unknown OpenAI model"),
    ("anthropic/claude-3-5-haiku", {"ANTHROPIC_API_KEY": KEY}, "AUTOINTEL_LLM"),
])
def test_provider_configuration_errors_are_one_line(llm: str, extra: dict[str, str], needle: str,
                                                    tmp_path: Path) -> None:
    proc = autointel(["run", str(SILENCE)], cli_env(tmp_path, AUTOINTEL_LLM=llm, **extra))
    assert_one_line_usage_error(proc, needle)
    assert KEY not in proc.stderr + proc.stdout


# --- item 2: logging-layer redaction and quieting ---

def test_redacting_filter_masks_third_party_records_and_tracebacks() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger("openai.test_secrets")
    logger.addHandler(handler)
    try:
        try:
            raise ValueError(f"body echoed Bearer {KEY}")
        except ValueError:
            logger.exception("call failed with %s", {"Authorization": f"Bearer {KEY}"})
    finally:
        logger.removeHandler(handler)
    assert "call failed" in stream.getvalue() and "ValueError" in stream.getvalue()
    assert KEY not in stream.getvalue()


def test_gate_passes_our_records_and_counts_the_rest() -> None:
    from autointel.measurement.log_redaction import Counter

    hidden = Counter()
    gate = ThirdPartyGate(debug=False, hidden=hidden)
    record = logging.LogRecord("crewai.flow.runtime", logging.ERROR, __file__, 1, "x", None, None)
    own = logging.LogRecord("autointel.engines", logging.ERROR, __file__, 1, "x", None, None)
    assert not gate.filter(record) and gate.filter(own) and hidden.count == 1
    assert ThirdPartyGate(debug=True, hidden=hidden).filter(record)


def test_stream_masks_a_key_split_across_writes() -> None:
    target = io.StringIO()
    stream = RedactingStream(target)
    stream.write(f"error: {KEY[:12]}")
    stream.write(f"{KEY[12:]} rejected\npartial {KEY}")
    assert target.getvalue() == "error: [REDACTED] rejected\n"
    stream.flush()
    assert KEY not in target.getvalue() and target.getvalue().endswith("partial [REDACTED]")


def test_guarded_output_masks_root_logging_and_restores(monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    before = sys.stderr
    with guarded_output({}) as output:
        logging.getLogger("httpx").error("echo %s", KEY)  # third party: hidden and counted
        logging.getLogger("autointel.test").error("own line %s", KEY)
        print(f"direct write {KEY}", file=sys.stderr)
        with output.quiet_stdout():
            print(f"crewai console {KEY}")
    err = capsys.readouterr()
    assert sys.stderr is before
    assert "own line [REDACTED]" in err.err and "direct write [REDACTED]" in err.err
    assert "echo" not in err.err and err.out == "" and KEY not in err.err
    assert output.hidden.count == 2 and "2 lines" in str(output.summary())


# --- item 2: the provider guard bounds calls and stops after a hard failure ---

def test_guard_bounds_a_hung_call_and_fails_later_calls_at_once() -> None:
    guard = ProviderGuard(timeout_s=0.2, retries=1)  # budget 0.2 x 2 + 0.5 backoff = 0.9 s
    start = time.monotonic()
    with pytest.raises(TimeoutError):
        guard.run(time.sleep, 30)
    assert time.monotonic() - start < guard.call_budget_s + 0.5
    start = time.monotonic()
    with pytest.raises(ProviderUnavailable, match="TimeoutError"):
        guard.run(lambda: "never called")
    assert time.monotonic() - start < 0.1


def test_guard_lets_ordinary_errors_through_without_tripping() -> None:
    guard = ProviderGuard(timeout_s=5, retries=0)

    def bad_request() -> str:
        raise ValueError("prompt too long")

    with pytest.raises(ValueError):
        guard.run(bad_request)
    assert guard.run(lambda: "ok") == "ok"
    wrapped = ValueError("Model x not found")
    wrapped.__cause__ = type("NotFoundError", (Exception,), {"status_code": 404})()
    assert is_fatal(wrapped) and is_fatal(ConnectionError("refused")) and not is_fatal(ValueError("x"))


# --- item 2: end to end against fake OpenAI-compatible servers on 127.0.0.1 ---

class EchoKey(http.server.BaseHTTPRequestHandler):
    """Fails every call and echoes the Authorization header in the error body, as some providers do."""

    status = 401
    hang_s = 0.0
    first_request: list[float] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.first_request.append(time.monotonic())
        if self.hang_s:
            time.sleep(self.hang_s)
            return
        body = json.dumps({"error": {"message": f"invalid key {self.headers.get('Authorization')}",
                                     "type": "invalid_request_error"}}).encode()
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def fake_provider(request: pytest.FixtureRequest) -> Iterator[tuple[str, list[float]]]:
    status, hang = request.param
    arrivals: list[float] = []
    handler = type("Handler", (EchoKey,), {"status": status, "hang_s": hang, "first_request": arrivals})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1", arrivals
    server.shutdown()
    server.server_close()


def provider_run(tmp_path: Path, base_url: str) -> subprocess.CompletedProcess[str]:
    env = cli_env(tmp_path, AUTOINTEL_LLM="openai/gpt-4o-mini", OPENAI_BASE_URL=base_url, OPENAI_API_KEY=KEY,
                  AUTOINTEL_LLM_TIMEOUT="2", AUTOINTEL_LLM_RETRIES="1", AUTOINTEL_ENGINE="flow")
    return autointel(["run", str(ROOT / "fixtures" / "media" / "health_diet.wav"), "--depth", "standard",
                      "--format", "json", "--output", str(tmp_path / "result.json")], env)


@pytest.mark.slow
@pytest.mark.parametrize("fake_provider", [(401, 0.0), (500, 0.0)], indirect=True)
def test_an_echoed_key_appears_nowhere(fake_provider: tuple[str, list[float]], tmp_path: Path) -> None:
    url, requests = fake_provider
    proc = provider_run(tmp_path, url)
    result = (tmp_path / "result.json").read_text()
    assert requests and proc.returncode == 1
    assert KEY not in proc.stdout + proc.stderr + result
    assert "[REDACTED]" in proc.stderr and "ERROR:root" not in proc.stderr and "Traceback" not in proc.stderr
    assert proc.stderr.count("\n") <= 8, proc.stderr  # was ~90 raw library lines
    assert json.loads(result)["errors"]


@pytest.mark.slow
@pytest.mark.parametrize("fake_provider", [(200, 120.0)], indirect=True)
def test_a_hung_provider_costs_one_call_budget(fake_provider: tuple[str, list[float]], tmp_path: Path) -> None:
    url, requests = fake_provider
    proc = provider_run(tmp_path, url)
    ended = time.monotonic()
    assert proc.returncode == 1 and requests
    budget = ProviderGuard(2.0, 1).call_budget_s  # 2 s x 2 attempts + backoff
    assert ended - requests[0] < budget + 10.0, proc.stderr  # margin: writing results and exiting
    assert "did not finish within" in proc.stderr and KEY not in proc.stderr


# --- item 10: metrics server and Markdown ---

def test_metrics_server_is_quiet_when_a_scraper_hangs_up(capfd: pytest.CaptureFixture[str]) -> None:
    from prometheus_client import CollectorRegistry

    def slow_registry() -> CollectorRegistry:
        time.sleep(0.3)  # the scraper gives up meanwhile
        return CollectorRegistry()

    server = serve(0, slow_registry)
    port = server.server_address[1]
    try:
        for _ in range(3):
            with socket.create_connection(("127.0.0.1", port)) as client:
                client.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
                client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # reset on close
        time.sleep(1.0)
        with socket.create_connection(("127.0.0.1", port)) as client:  # still serving afterwards
            client.sendall(b"GET /metrics HTTP/1.0\r\n\r\n")
            assert client.recv(64).startswith(b"HTTP/1.0 200")
    finally:
        server.shutdown()
        server.server_close()
    err = capfd.readouterr().err
    assert "Traceback" not in err and "BrokenPipe" not in err and "ConnectionReset" not in err


def test_summary_markdown_escapes_html_from_names() -> None:
    index = {"run_id": "<b>r</b>", "benches": {"<script>alert(1)</script>": {
        "verdict": "pass", "headline": "<img src=x onerror=alert(1)>", "report_dir": "a`<b>`"}},
        "errors": ["<iframe>"]}
    text = render_session_markdown(index)
    assert "<script>" not in text and "<img" not in text and "<iframe>" not in text and "<b>r" not in text
    assert "&lt;script&gt;" in text and "`` a`<b>` ``" in text  # code spans show text as is, with a longer fence
