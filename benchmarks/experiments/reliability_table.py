"""Generate docs/reliability.md: every bad input and injected fault, run through the real CLI.

Usage: nox -s reliability (= python benchmarks/experiments/reliability_table.py [--out docs/reliability.md])
Each case runs `autointel run` in a fresh process; the table records the exit status, the result
status, the one-line message, and whether a traceback was printed (it never should be).
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MEDIA = ROOT / "fixtures" / "media"
TALK = MEDIA / "health_diet.wav"


SECRET = "pw-SEKRET-4711"  # planted in sources and settings: it must appear in no output and no stored byte
MAX_BYTES = 1_000_000  # the download cases' --max-bytes


@dataclass(frozen=True)
class Case:
    name: str
    args: tuple[str, ...]
    env: tuple[tuple[str, str], ...] = ()
    expected_exit: int = 2
    prepare: Callable[[Path], None] | None = None  # sets up the case's data dir before the run


def cases(work: Path, server: str) -> list[Case]:
    (work / "fake.mp3").write_text("not audio\n" * 100)
    (work / "zero.wav").write_bytes(b"")
    (work / "half.mp4").write_bytes((MEDIA / "energy_policy.mp4").read_bytes()[:150_000])
    (work / "noise.wav").write_bytes(os.urandom(50_000))
    faults = ["verification:error", "transcription:timeout", "analysis:error", "memory:error", "graph:error",
              "fact_check:error", "memory:slow=1s"]
    return [
        Case("empty source", ("",)),
        Case("missing path", ("/no/such/talk.mp3",)),
        Case("a directory", (str(work),)),
        Case("text file named .mp3", (str(work / "fake.mp3"),)),
        Case("zero-byte file", (str(work / "zero.wav"),)),
        Case("truncated mp4", (str(work / "half.mp4"),)),
        Case("random bytes as .wav", (str(work / "noise.wav"),)),
        Case("truncated mp3 (0.5 s)", (str(MEDIA / "truncated.mp3"),)),
        Case("video without audio", (str(MEDIA / "noaudio.mp4"),)),
        Case("silent audio", (str(MEDIA / "silence.wav"),), expected_exit=0),
        Case("longer than --max-duration", (str(TALK), "--max-duration", "10")),
        Case("bigger than --max-bytes", (str(TALK), "--max-bytes", "1000")),
        Case("ftp: scheme", ("ftp://example.com/talk.mp3",)),
        Case("javascript: scheme", ("javascript:alert(1)",)),
        Case("data: scheme", ("data:audio/mp3;base64,AAAA",)),
        Case("loopback URL", (f"{server}/talk.wav",)),
        Case("cloud metadata URL", ("http://169.254.169.254/latest/meta-data/",)),
        Case("private network URL", ("http://10.1.2.3/talk.mp3",)),
        Case("HTTP 404 (yt-dlp)", (f"{server}/missing.mp3", "--allow-private-network")),
        Case("page without media (yt-dlp)", (f"{server}/page.html", "--allow-private-network")),
        Case("bad flag value", (str(TALK),), (("ENABLE_PARALLEL_ANALYSIS", "maybe"),)),
        Case("bad depth", (str(TALK), "--depth", "bottomless")),
        *download_cases(server),
        *address_cases(),
        *setting_cases(work),
        *media_cases(work),
        *output_cases(work),
        *[Case(f"fault {f}", (str(TALK),), (("AUTOINTEL_FAULTS", f),), 0 if "slow" in f else 1) for f in faults],
    ]


def download_cases(server: str) -> list[Case]:
    limit = ("--allow-private-network", "--max-bytes", str(MAX_BYTES))
    return [
        Case("endless body over --max-bytes", (f"{server}/endless.wav", *limit)),
        Case("gzip bomb over --max-bytes", (f"{server}/bomb.wav", *limit)),
        Case("Content-Length over --max-bytes", (f"{server}/big.wav", *limit)),
        Case("credentials in the source URL",
             (server.replace("http://", f"http://user:{SECRET}@") + f"/talk.wav?api_key={SECRET}",
              "--allow-private-network", "--depth", "comprehensive"), expected_exit=0),
    ]


def address_cases() -> list[Case]:
    spellings = ["http://2130706433/talk.wav", "http://0x7f.1/talk.wav", "http://[::ffff:127.0.0.1]/talk.wav",
                 "http://[2002:7f00:1::1]/talk.wav", "http://[64:ff9b::a00:1]/talk.wav", "http://localhost./talk.wav"]
    return [Case(f"loopback/private spelled {url.split('/')[2]}", (url,)) for url in spellings]


def setting_cases(work: Path) -> list[Case]:
    (work / "list-profile.json").write_text("[1, 2]")
    (work / "negative-profile.json").write_text('{"name": "x", "kind": "fixed", "median_s": 0.1, "concurrency": -1}')
    return [
        Case("--max-duration nan", (str(TALK), "--max-duration", "nan")),
        Case("--max-duration -5", (str(TALK), "--max-duration", "-5")),
        Case("--max-bytes not a number", (str(TALK), "--max-bytes", "lots")),
        Case("infinite LLM timeout", (str(TALK),), (("AUTOINTEL_LLM_TIMEOUT", "inf"),)),
        Case("huge fault delay", (str(TALK),), (("AUTOINTEL_FAULTS", "memory:slow=1e20s"),)),
        Case("profile file is a JSON list", (str(TALK),),
             (("AUTOINTEL_LLM_PROFILE", str(work / "list-profile.json")),)),
        Case("profile with negative concurrency", (str(TALK),),
             (("AUTOINTEL_LLM_PROFILE", str(work / "negative-profile.json")),)),
        Case("nonsense AUTOINTEL_LLM", (str(TALK),), (("AUTOINTEL_LLM", "banana"),)),
        Case("provider without its API key", (str(TALK),), (("AUTOINTEL_LLM", "openai/gpt-4o-mini"),
                                                             ("OPENAI_API_KEY", ""))),
    ]


def media_cases(work: Path) -> list[Case]:
    big = work / "evidence-big"
    big.mkdir()
    (big / "huge.txt").write_text("The bridge opened in 1952. " * 400_000)
    garbage = work / "garbage-tail.mp3"
    garbage.write_bytes((MEDIA / "city_transit.mp3").read_bytes() + os.urandom(3_000_000))
    return [
        Case("evidence file over its size cap", (str(TALK), "--evidence", str(big), "--depth", "deep")),
        Case("mp3 with 3 MB of garbage appended", (str(garbage), "--depth", "standard"), expected_exit=0),
    ]


def output_cases(work: Path) -> list[Case]:
    (work / "a-file").write_text("x")
    return [
        Case("--output is a directory", (str(TALK), "--output", str(work))),
        Case("--metrics-file under a file", (str(TALK), "--metrics-file", str(work / "a-file" / "m.prom"))),
        Case("data dir lock is a symlink", (str(TALK),), prepare=_planted_lock),
    ]


def _planted_lock(data: Path) -> None:
    data.mkdir(parents=True, exist_ok=True)
    target = data.parent / "precious.txt"
    target.write_text("keep me")
    (data / ".lock").symlink_to(target)


def run_case(case: Case, data: Path, engine: str) -> dict[str, object]:
    if case.prepare is not None:
        case.prepare(data)
    env = {**os.environ, "AUTOINTEL_ENGINE": engine, **dict(case.env)}
    cmd = [sys.executable, "-m", "autointel.cli", "run", *case.args, "--format", "json", "--data-dir", str(data)]
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600, check=False)
    try:
        status = json.loads(proc.stdout).get("status", "-")
    except json.JSONDecodeError:
        status = "-"
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    return {
        "case": case.name,
        "exit": proc.returncode,
        "expected": case.expected_exit,
        "status": status,
        "message": lines[0] if lines else "",
        "stderr_lines": len(lines),
        "traceback": "Traceback" in proc.stderr,
        "over_limit": _bytes_over_limit(data, case, proc.returncode),
        "secrets": _secret_count(proc.stdout + proc.stderr, data),
        "seconds": round(time.perf_counter() - started, 1),
    }


def _bytes_over_limit(data: Path, case: Case, exit_code: int) -> int:
    """Bytes a download left beyond the case's --max-bytes, and every byte a refused run left behind."""
    downloads = data / "downloads"
    sizes = [p.stat().st_size for p in downloads.rglob("*") if p.is_file()] if downloads.is_dir() else []
    if exit_code != 0:
        return sum(sizes)
    limit = int(case.args[case.args.index("--max-bytes") + 1]) if "--max-bytes" in case.args else None
    return 0 if limit is None else sum(max(size - limit, 0) for size in sizes)


def _secret_count(output: str, data: Path) -> int:
    stored = sum(p.read_bytes().count(SECRET.encode()) for p in data.rglob("*") if p.is_file() and not p.is_symlink())
    return output.count(SECRET) + stored


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Static files, plus three hostile bodies: endless, a gzip bomb, and a Content-Length over the limit."""

    def do_GET(self) -> None:
        if self.path == "/endless.wav":
            self._headers("audio/wav")
            self._stream(b"\0" * 65536, 400)  # 26 MB, far past the limit, then the server gives up
        elif self.path == "/bomb.wav":
            body = gzip.compress(b"\0" * 50_000_000)
            self._headers("audio/wav", {"Content-Encoding": "gzip", "Content-Length": str(len(body))})
            self._stream(body, 1)
        elif self.path == "/big.wav":
            self._headers("audio/wav", {"Content-Length": str(50 * MAX_BYTES)})
            self._stream(b"\0" * 65536, 1)
        else:
            super().do_GET()

    def _headers(self, kind: str, extra: dict[str, str] | None = None) -> None:
        self.send_response(200)
        self.send_header("Content-Type", kind)
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()

    def _stream(self, chunk: bytes, times: int) -> None:
        try:
            for _ in range(times):
                self.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError):  # the client cut the download: as intended
            pass

    def log_message(self, *args: object) -> None:
        pass


def serve(root: Path) -> str:
    (root / "page.html").write_text("<html><body>no media</body></html>")
    (root / "talk.wav").write_bytes(TALK.read_bytes())
    handler = functools.partial(_QuietHandler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{httpd.server_address[1]}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "reliability.md")
    parser.add_argument("--engine", choices=("pipeline", "crew"), default="pipeline")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        site = work / "site"
        site.mkdir()
        server = serve(site)
        rows = [run_case(case, work / f"data-{i}", args.engine) for i, case in enumerate(cases(work, server))]
        for row in rows:
            row["message"] = str(row["message"]).replace(str(work), "$WORK").replace(f"{ROOT}/", "")
    ok = sum(1 for r in rows if r["exit"] == r["expected"] and not r["traceback"] and not r["over_limit"]
             and not r["secrets"])
    lines = [
        "# Reliability: bad input and injected faults",
        "",
        f"Generated by `nox -s reliability` on an {platform.machine()} machine with Python "
        f"{platform.python_version()}, engine `{args.engine}` (`--engine crew` for the other); every case is a "
        "fresh `autointel run` process.",
        "",
        f"**{len(rows)} cases, {ok} as expected, {sum(bool(r['traceback']) for r in rows)} tracebacks, "
        f"{sum(int(str(r['over_limit'])) for r in rows)} bytes over a limit, "
        f"{sum(int(str(r['secrets'])) for r in rows)} secrets found in any output or stored byte.**",
        "",
        "| case | exit (expected) | result status | message (first stderr line) | stderr lines | traceback | "
        "bytes over limit | secrets |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        message = str(r["message"]).replace("|", "\\|")
        lines.append(f"| {r['case']} | {r['exit']} ({r['expected']}) | {r['status']} | {message} | "
                     f"{r['stderr_lines']} | {'yes' if r['traceback'] else 'no'} | {r['over_limit']} | "
                     f"{r['secrets']} |")
    lines += ["", "Concurrency, interruption (Ctrl-C, twice), re-runs, the connect-time network guard against servers "
              "that redirect or embed links to an internal address, DNS rebinding, slow-drip servers, provider "
              "errors that echo the API key and hung providers are covered by `tests/test_reliability.py`, "
              "`tests/phases/test_netguard.py`, `tests/phases/test_media_bounds.py` and "
              "`tests/test_secrets_and_settings.py`.", ""]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines))
    print(f"{ok}/{len(rows)} cases as expected -> {args.out}")
    return 0 if ok == len(rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
