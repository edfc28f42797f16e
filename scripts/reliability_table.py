"""Generate docs/reliability.md: every bad input and injected fault, run through the real CLI.

Usage: python scripts/reliability_table.py [--out docs/reliability.md]
Each case runs `autointel run` in a fresh process; the table records the exit status, the result
status, the one-line message, and whether a traceback was printed (it never should be).
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MEDIA = ROOT / "fixtures" / "media"
TALK = MEDIA / "health_diet.wav"


@dataclass(frozen=True)
class Case:
    name: str
    args: tuple[str, ...]
    env: tuple[tuple[str, str], ...] = ()
    expected_exit: int = 2


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
        *[Case(f"fault {f}", (str(TALK),), (("AUTOINTEL_FAULTS", f),), 0 if "slow" in f else 1) for f in faults],
    ]


def run_case(case: Case, data: Path, engine: str) -> dict[str, object]:
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
        "seconds": round(time.perf_counter() - started, 1),
    }


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
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
    ok = sum(1 for r in rows if r["exit"] == r["expected"] and not r["traceback"])
    lines = [
        "# Reliability: bad input and injected faults",
        "",
        f"Generated by `python scripts/reliability_table.py` on an {platform.machine()} machine with Python "
        f"{platform.python_version()}, engine `{args.engine}` (`--engine crew` for the other); every case is a "
        "fresh `autointel run` process.",
        "",
        f"**{len(rows)} cases, {ok} as expected, {sum(bool(r['traceback']) for r in rows)} tracebacks.**",
        "",
        "| case | exit (expected) | result status | message (first stderr line) | stderr lines | traceback |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        message = str(r["message"]).replace("|", "\\|")
        lines.append(f"| {r['case']} | {r['exit']} ({r['expected']}) | {r['status']} | {message} | "
                     f"{r['stderr_lines']} | {'yes' if r['traceback'] else 'no'} |")
    lines += ["", "Concurrency, interruption, re-runs and redaction are covered by `tests/test_reliability.py`.", ""]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines))
    print(f"{ok}/{len(rows)} cases as expected -> {args.out}")
    return 0 if ok == len(rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
