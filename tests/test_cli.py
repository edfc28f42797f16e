"""The command line: exit statuses, one-line errors, outputs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from autointel.cli import main
from autointel.settings import ALL_FLAG_ENV, DEFAULT_ENGINE
from tests.helpers import EVIDENCE, talk_media


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("", "empty source"),
        ("/no/such/file.mp3", "no such file"),
        (".", "not a regular file"),
        ("ftp://example.com/a.mp3", "unsupported source scheme 'ftp'"),
        ("javascript:alert(1)", "unsupported source scheme"),
        ("data:audio/mp3;base64,AAAA", "unsupported source scheme"),
    ],
)
def test_bad_sources_give_one_line_and_exit_2(
    source: str, message: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = _run(["run", source, "--data-dir", str(tmp_path)], capsys)
    assert code == 2
    assert message in err and err.count("\n") == 1 and "Traceback" not in err
    assert out == ""


def test_text_file_named_mp3_and_empty_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    fake = tmp_path / "talk.mp3"
    fake.write_text("this is not audio at all\n" * 50)
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    code, _, err = _run(["run", str(fake), "--data-dir", str(tmp_path / "d")], capsys)
    assert code == 2 and "not a readable media file" in err
    code, _, err = _run(["run", str(empty), "--data-dir", str(tmp_path / "d")], capsys)
    assert code == 2 and "empty file" in err


def test_bad_flag_value_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ENABLE_PARALLEL_ANALYSIS", "maybe")
    code, _, err = _run(["run", str(talk_media("health_diet")), "--data-dir", str(tmp_path)], capsys)
    assert code == 2 and "ENABLE_PARALLEL_ANALYSIS='maybe'" in err


def test_unknown_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["run", "x.mp3", "--depth", "bottomless"])
    assert exit_info.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


@pytest.mark.slow
def test_run_json_then_recall(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out_file = tmp_path / "result.json"
    data = tmp_path / "data"
    media = talk_media("health_diet")
    metrics = tmp_path / "autointel.prom"
    code, _, err = _run(["run", str(media), "--format", "json", "--output", str(out_file), "--data-dir", str(data),
                         "--evidence", str(EVIDENCE), "--metrics-file", str(metrics)], capsys)
    assert code == 0, err
    from prometheus_client.parser import text_string_to_metric_families

    names = {family.name for family in text_string_to_metric_families(metrics.read_text())}
    assert {"autointel_execution_duration_seconds", "autointel_phase_duration_seconds",
            "autointel_parallel_tasks_count", "autointel_memory_usage_bytes"} <= names
    result = json.loads(out_file.read_text())
    assert result["status"] == "ok" and result["engine"] == DEFAULT_ENGINE and result["depth"] == "comprehensive"
    assert set(result["flags"]) == set(ALL_FLAG_ENV)
    assert result["integration"]["memory"]["points_total"] > 0
    code, out, _ = _run(["recall", result["transcript"]["segments"][0]["text"], "--data-dir", str(data),
                         "--format", "json"], capsys)
    hits = json.loads(out)
    assert code == 0 and hits and hits[0]["title"] == media.stem


@pytest.mark.slow
def test_failed_phase_gives_partial_result_and_exit_1(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("AUTOINTEL_FAULTS", "verification:error")
    code, out, err = _run(["run", str(talk_media("health_diet")), "--format", "json", "--data-dir", str(tmp_path)],
                          capsys)
    result = json.loads(out)
    assert code == 1 and result["status"] == "partial"
    assert result["analysis"] is not None and result["verification"] is None
    assert result["errors"][0]["type"] == "InjectedFault" and "verification failed" in err
    skipped = {s["name"] for s in result["steps"] if s["status"] == "skipped"}
    assert {"verification_integration", "memory_store", "briefing"} <= skipped


def test_help_is_fast_and_imports_nothing_heavy() -> None:
    probe = ("import sys, autointel.cli as c; c.build_parser(); "
             "heavy = ('crewai', 'faster_whisper', 'qdrant_client', 'numpy', 'ray', "
             "'autointel.model.bench_results'); "
             "print(sorted(m for m in heavy if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
