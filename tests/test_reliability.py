"""Reliability: bad input, injected faults, locking, interruption, secrets. One clear line, nothing lost."""

from __future__ import annotations

import functools
import http.server
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autointel.engines.resources import Resources
from autointel.errors import InputError
from autointel.phases import netguard
from tests.helpers import FIXTURES, talk_media

MEDIA = FIXTURES / "media"


def cli(*args: str, env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """The pipeline engine unless a test asks otherwise: the crew's 5-8 s import would only slow these down."""
    full_env = {**os.environ, "AUTOINTEL_ENGINE": "pipeline", **(env or {})}
    return subprocess.run([sys.executable, "-m", "autointel.cli", *args], capture_output=True, text=True,
                          env=full_env, timeout=timeout, check=False)


def assert_one_line_error(proc: subprocess.CompletedProcess[str], code: int, fragment: str) -> None:
    assert proc.returncode == code, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and fragment in lines[0], proc.stderr


class _Handler(http.server.SimpleHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path.startswith("/redirect-metadata"):
            self.send_response(302)
            self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
            self.end_headers()
            return
        super().do_GET()

    do_HEAD = do_GET

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def server(tmp_path: Path) -> Iterator[str]:
    root = tmp_path / "site"
    root.mkdir()
    (root / "page.html").write_text("<html><body><p>No media here.</p></body></html>")
    (root / "talk.wav").write_bytes((MEDIA / "health_diet.wav").read_bytes())
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Handler, directory=str(root)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.mark.parametrize(
    ("make", "fragment"),
    [
        (lambda d: MEDIA / "noaudio.mp4", "no audio stream"),
        (lambda d: MEDIA / "truncated.mp3", "too short to hold speech"),
        (lambda d: _write(d / "half.mp4", (MEDIA / "energy_policy.mp4").read_bytes()[:150_000]),
         "not a readable media"),
        (lambda d: _write(d / "noise.wav", os.urandom(50_000)), "not a readable media"),
        (lambda d: _write(d / "empty.mp3", b""), "empty file"),
        (lambda d: d, "not a regular file"),
    ],
    ids=["no-audio", "truncated-mp3", "truncated-mp4", "random-bytes", "zero-bytes", "directory"],
)
def test_bad_media_is_refused_with_one_line(make: object, fragment: str, tmp_path: Path) -> None:
    path = make(tmp_path)  # type: ignore[operator]
    data = tmp_path / "data"
    proc = cli("run", str(path), "--data-dir", str(data))
    assert_one_line_error(proc, 2, fragment)
    assert proc.stdout == "" and not data.exists()


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("engine", ["crew", "flow", "pipeline"])
def test_bad_input_is_exit_2_in_every_engine(engine: str, tmp_path: Path) -> None:
    proc = cli("run", str(MEDIA / "noaudio.mp4"), "--data-dir", str(tmp_path), env={"AUTOINTEL_ENGINE": engine})
    assert_one_line_error(proc, 2, "no audio stream")


def test_limits_on_duration_and_size(tmp_path: Path) -> None:
    media = str(talk_media("health_diet"))
    assert_one_line_error(cli("run", media, "--max-duration", "10", "--data-dir", str(tmp_path)), 2, "--max-duration")
    assert_one_line_error(cli("run", media, "--max-bytes", "1000", "--data-dir", str(tmp_path)), 2, "--max-bytes")


def test_silent_audio_is_a_valid_marked_empty_result(tmp_path: Path) -> None:
    proc = cli("run", str(MEDIA / "silence.wav"), "--format", "json", "--data-dir", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["status"] == "ok" and result["transcript"]["segments"] == []
    assert any("empty" in w for w in result["warnings"])


def test_download_failures_are_one_line(server: str, tmp_path: Path) -> None:
    private = ["--allow-private-network", "--data-dir", str(tmp_path)]
    assert_one_line_error(cli("run", f"{server}/missing.mp3", *private), 2, "404")
    assert_one_line_error(cli("run", f"{server}/page.html", *private), 2, "download failed")


def test_private_addresses_are_refused_before_any_connection(server: str, tmp_path: Path) -> None:
    assert_one_line_error(cli("run", f"{server}/talk.wav", "--data-dir", str(tmp_path)), 2, "non-public address")
    for url in ("http://169.254.169.254/latest/meta-data/", "http://[::1]/x.mp3", "http://10.0.0.8/a.mp3",
                "http://metadata.google.internal/x"):
        with pytest.raises(InputError):
            netguard.check_url(url, allow_private=False)


def test_every_redirect_hop_is_vetted(server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    original = netguard.check_url

    def trust_the_test_server(url: str, *, allow_private: bool) -> None:
        if not url.startswith(server):
            original(url, allow_private=allow_private)

    monkeypatch.setattr(netguard, "check_url", trust_the_test_server)
    with pytest.raises(InputError, match=r"169\.254\.169\.254"):
        netguard.resolve_redirects(f"{server}/redirect-metadata", allow_private=False)


@pytest.mark.parametrize(
    ("fault", "code", "status", "skipped"),
    [
        ("verification:error", 1, "partial", {"verification_integration", "memory_store", "briefing"}),
        ("transcription:timeout", 1, "failed", {"text_analysis", "briefing"}),
        ("graph:error", 1, "partial", {"briefing"}),
    ],
)
def test_injected_faults(fault: str, code: int, status: str, skipped: set[str], tmp_path: Path) -> None:
    proc = cli("run", str(talk_media("health_diet")), "--format", "json", "--data-dir", str(tmp_path),
               env={"AUTOINTEL_FAULTS": fault})
    assert proc.returncode == code and "Traceback" not in proc.stderr
    result = json.loads(proc.stdout)
    assert result["status"] == status and result["errors"]
    assert skipped <= {s["name"] for s in result["steps"] if s["status"] == "skipped"}


def test_slow_fault_delays_only_its_step(tmp_path: Path) -> None:
    proc = cli("run", str(talk_media("health_diet")), "--format", "json", "--data-dir", str(tmp_path),
               env={"AUTOINTEL_FAULTS": "memory:slow=1.5s"})
    result = json.loads(proc.stdout)
    walls = {s["name"]: s["wall_s"] for s in result["steps"]}
    assert proc.returncode == 0 and walls["memory_store"] >= 1.5


def test_phase_timeout_gives_up_on_a_hung_step(tmp_path: Path) -> None:
    started = time.monotonic()
    proc = cli("run", str(talk_media("health_diet")), "--format", "json", "--data-dir", str(tmp_path),
               env={"AUTOINTEL_FAULTS": "memory:slow=30s", "AUTOINTEL_PHASE_TIMEOUTS": "integration=1"})
    assert time.monotonic() - started < 60
    result = json.loads(proc.stdout)
    assert proc.returncode == 1 and result["status"] == "partial"
    assert [(e["phase"], e["type"]) for e in result["errors"]] == [("integration", "TimeoutError")]
    assert {s["name"]: s["status"] for s in result["steps"]}["briefing"] == "skipped"
    assert result["analysis"] is not None and result["verification"] is not None


def test_a_second_process_on_one_data_dir_fails_clearly(tmp_path: Path) -> None:
    from autointel.engines.resources import Resources
    from autointel.settings import load_settings

    with Resources(load_settings({}, data_dir=tmp_path)) as holder:
        holder.graph()  # takes the data-dir lock
        started = time.monotonic()
        proc = cli("run", str(talk_media("health_diet")), "--data-dir", str(tmp_path),
                   env={"AUTOINTEL_LOCK_TIMEOUT": "1"})
        assert time.monotonic() - started < 120
    assert proc.returncode == 1 and "in use by another autointel process" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_credentials_in_a_source_url_are_stored_nowhere(server: str, tmp_path: Path) -> None:
    secret = "pw-SEKRET-42"
    url = server.replace("http://", f"http://user:{secret}@") + f"/talk.wav?api_key={secret}&lang=en"
    data = tmp_path / "data"
    proc = cli("run", url, "--allow-private-network", "--data-dir", str(data), "--format", "json",
               "--evidence", str(FIXTURES / "evidence"))
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["source"].endswith("/talk.wav?api_key=%5BREDACTED%5D&lang=en") or "[REDACTED]" in result["source"]
    assert "user:" not in result["source"]
    recalled = cli("recall", "sleep", "--data-dir", str(data), "--format", "json")
    stored = [p.read_bytes() for p in data.rglob("*") if p.is_file()]
    for text in (proc.stdout, proc.stderr, recalled.stdout):
        assert secret not in text
    assert not any(secret.encode() in blob for blob in stored)


def test_a_symlinked_lock_file_is_refused_and_its_target_untouched(tmp_path: Path) -> None:
    target = tmp_path / "precious.txt"
    target.write_text("keep me")
    data = tmp_path / "data"
    data.mkdir()
    (data / ".lock").symlink_to(target)
    proc = cli("run", str(talk_media("health_diet")), "--data-dir", str(data))
    assert_one_line_error(proc, 2, "is a symbolic link")
    assert target.read_text() == "keep me"


def test_recall_on_a_mistyped_data_dir_creates_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-dir"
    assert_one_line_error(cli("recall", "budget", "--data-dir", str(missing)), 2, "no autointel memory in")
    assert not missing.exists()


def test_recall_on_a_damaged_store_is_one_line(tmp_path: Path) -> None:
    store = tmp_path / "qdrant"
    store.mkdir()
    (store / "meta.json").write_text("{not json")
    assert_one_line_error(cli("recall", "budget", "--data-dir", str(tmp_path)), 1, "cannot read the memory in")


@pytest.mark.parametrize("engine", ["flow", "crew", "pipeline"])
def test_ctrl_c_leaves_the_stores_consistent(engine: str, tmp_path: Path) -> None:
    """Interrupted mid-run (a step held by an injected delay), every engine exits 130 with one line: no
    traceback from a CrewAI thread left running, and the stores of the earlier run intact."""
    from autointel.memory.graph import KnowledgeGraph
    from autointel.memory.vectors import VectorStore

    data = tmp_path / "data"
    first = cli("run", str(talk_media("health_diet")), "--depth", "comprehensive", "--data-dir", str(data))
    assert first.returncode == 0
    env = {**os.environ, "AUTOINTEL_ENGINE": engine, "AUTOINTEL_FAULTS": "text_analysis:slow=5s"}
    proc = subprocess.Popen([sys.executable, "-m", "autointel.cli", "run", str(talk_media("city_transit")),
                             "--data-dir", str(data)], stderr=subprocess.PIPE, text=True, env=env)
    time.sleep(6)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert err.strip().splitlines() == ["autointel: interrupted; stores were closed"]
    graph = KnowledgeGraph.open(data / "graph.json")
    assert graph.node_count > 0
    with VectorStore(path=data / "qdrant") as store:
        assert store.count("transcripts") > 0


def test_secrets_never_reach_outputs(tmp_path: Path) -> None:
    secret = "sk-planted" + "x7" * 16
    named = tmp_path / f"{secret}.wav"
    named.write_bytes(talk_media("health_diet").read_bytes())
    env = {"OPENAI_API_KEY": secret, "AUTOINTEL_FAULTS": "graph:error"}
    out_json = tmp_path / "r.json"
    proc = cli("run", str(named), "--format", "json", "--output", str(out_json), "--data-dir", str(tmp_path / "d"),
               env=env)
    missing = cli("run", str(tmp_path / f"{secret}-missing.mp3"), env=env)
    texts = [proc.stdout, proc.stderr, out_json.read_text(), missing.stdout, missing.stderr]
    assert proc.returncode == 1 and missing.returncode == 2
    assert all(secret not in text for text in texts)
    assert "[REDACTED]" in out_json.read_text() and "[REDACTED]" in missing.stderr


ADDRESSES = st.one_of(st.ip_addresses(v=4), st.ip_addresses(v=6))


@given(ADDRESSES)
def test_address_guard_matches_the_address_classes(address: object) -> None:
    import ipaddress

    ip = ipaddress.ip_address(str(address))
    mapped = getattr(ip, "ipv4_mapped", None) or ip
    public = mapped.is_global and not mapped.is_multicast
    if netguard.is_forbidden_address(str(address)) is False:
        assert public or not (mapped.is_private or mapped.is_loopback or mapped.is_link_local)


@given(st.text(max_size=60), st.lists(ADDRESSES, min_size=1, max_size=4))
def test_url_guard_refuses_exactly_when_an_address_is_not_public(host: str, addresses: list[object]) -> None:
    """Resolution is the seam here (no DNS offline); the loopback tests above use the real resolver."""
    from unittest import mock

    infos = [(0, 0, 0, "", (str(a), 80)) for a in addresses]
    with mock.patch.object(netguard.socket, "getaddrinfo", return_value=infos):
        try:
            netguard.check_url(f"http://{host}/talk.mp3", allow_private=False)
            refused = False
        except InputError:
            refused = True
    if not refused:
        assert not any(netguard.is_forbidden_address(str(a)) for a in addresses)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=400))
def test_analyzers_accept_arbitrary_text(text: str, resources: Resources) -> None:
    from autointel.model import Segment, Transcript
    from autointel.phases.analysis import analyze_sentiment, extract_entities
    from autointel.phases.text import split_sentences
    from autointel.phases.verification import extract_claims

    transcript = Transcript(text=text, segments=(Segment(0.0, 5.0, text),), language="en", quality=1.0)
    sentences = split_sentences(transcript)
    assert all(0.0 <= s.start_s <= 5.0 for s in sentences)
    assert -1.0 <= analyze_sentiment(sentences).score <= 1.0
    extract_entities(sentences)
    claims = extract_claims(sentences, exhaustive=True, embedder=resources.embedder())
    assert all(c.text for c in claims)


def test_secrets_never_reach_benchmark_reports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from autointel.bench.autointel_pipeline import AutointelPipeline
    from autointel.bench.options import BenchOptions, parse_combos
    from autointel.bench.session import BenchSession
    from autointel.bench.synthetic import SyntheticTarget
    from autointel.settings import load_settings

    secret = "sk-bench" + "q4" * 12
    monkeypatch.setenv("ANTHROPIC_API_KEY", secret)
    synthetic = SyntheticTarget()

    def leaky(source: str, settings: object, resources: object) -> object:
        if settings.flags.parallel_analysis:  # type: ignore[attr-defined]
            raise RuntimeError(f"provider refused key {secret}")
        return synthetic(source, settings, resources)  # type: ignore[arg-type]

    options = BenchOptions(combos=parse_combos("analysis"), iterations=2, warmup=0, seed=1)
    report = tmp_path / "report"
    results = BenchSession(options, source=f"talk-{secret}",
                           pipeline=AutointelPipeline(load_settings({}, data_dir=tmp_path / "d"), leaky),
                           report_dir=report, name="leak").run()
    assert secret not in results.to_json()  # the results every report renders from are redacted once, in memory
    assert "[REDACTED]" in (results.session.source or "") and results.samples
    failed = next(c for c in results.cells if c.counts.failed)
    assert failed.errors and all("[REDACTED]" in e and secret not in e for e in failed.errors)
    outputs = [p for p in report.rglob("*") if p.is_file()]
    assert {p.name for p in outputs} >= {"results.json", "summary.md", "raw_samples.jsonl", "report.html"}
    assert all(secret not in p.read_text(errors="replace") for p in outputs)
    assert "[REDACTED]" in (report / "raw_samples.jsonl").read_text()
