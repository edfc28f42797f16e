"""The batch driver as a user runs it (its own process, its own local Ray): killed outright it resumes where it
stopped; Ctrl-C stops it cleanly with every finished source kept."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.helpers import DATASETS, FIXTURES

# A short clip first, then two 80 s talks: a signal sent once the first is done finds the batch mid-run.
SOURCES = [str(DATASETS / "speech" / "jfk.flac"), str(FIXTURES / "media" / "city_transit.mp3"),
           str(FIXTURES / "media" / "energy_policy.mp4")]


def start_batch(data_dir: Path) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "autointel.cli", "batch", *SOURCES, "--workers", "1", "--depth", "deep",
               "--data-dir", str(data_dir)]
    # SIGINT at its default even when this test runs in a background job (which ignores it, and Python then
    # installs no KeyboardInterrupt handler): the driver must see the signal a terminal's Ctrl-C would send.
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def index_of(data_dir: Path) -> dict[str, object]:
    path = data_dir / "batch" / "index.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {"sources": []}


def statuses(data_dir: Path) -> list[str]:
    return [str(s["status"]) for s in index_of(data_dir)["sources"]]  # type: ignore[index, union-attr]


def wait_for_first_result(data_dir: Path, process: subprocess.Popen[str], timeout_s: float = 300.0) -> None:
    deadline = time.monotonic() + timeout_s
    while "ok" not in statuses(data_dir):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "no source finished in time"
        time.sleep(0.2)


def test_a_driver_killed_outright_resumes_where_it_stopped(tmp_path: Path) -> None:
    process = start_batch(tmp_path)
    wait_for_first_result(tmp_path, process)
    process.kill()
    process.communicate()
    kept = statuses(tmp_path)
    assert kept[0] == "ok" and "interrupted" in kept  # the index as of the last finished source
    first = tmp_path / "batch" / str(index_of(tmp_path)["sources"][0]["result"])  # type: ignore[index]
    written = first.stat().st_mtime_ns
    again = start_batch(tmp_path)
    out, err = again.communicate(timeout=600)
    assert again.returncode == 0, err
    assert statuses(tmp_path) == ["ok", "ok", "ok"]
    assert "finished before" in out and first.stat().st_mtime_ns == written  # not run again


def test_ctrl_c_stops_cleanly_and_keeps_every_finished_source(tmp_path: Path) -> None:
    process = start_batch(tmp_path)
    wait_for_first_result(tmp_path, process)
    os.kill(process.pid, signal.SIGINT)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130
    assert "Traceback" not in err and "interrupted" in err
    index = index_of(tmp_path)
    assert index["interrupted"] is True
    assert statuses(tmp_path)[0] == "ok" and statuses(tmp_path)[-1] == "interrupted"
