"""The live progress of a run: the events every engine emits, the terminal display drawn from them, and a CLI that
stays quiet on stderr when that is not a terminal."""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path

import pytest
from rich.console import Console

from autointel.cli import main
from autointel.engines import run_engine
from autointel.engines.progress import TRANSCRIBE, run_context
from autointel.engines.resources import Resources
from autointel.engines.streaming import STREAM_STEP
from autointel.model import Segment, Status, StepRecord
from autointel.model.progress import MediaProgress, ProgressEvent, StepStarted
from autointel.rendering.progress import LiveProgress
from autointel.settings import Depth
from tests.helpers import fixture_settings, talk_media

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
HIDDEN_COUNT = "lines of library output hidden"  # the one line the CLI may add about library output


def ended(name: str, phase: str, end_s: float, status: str = "ok") -> StepRecord:
    return StepRecord(name, phase, 0.0, end_s, end_s, 0.0, 0.0, "worker", status)


def last_frame(screen: str) -> str:
    return screen[screen.rindex("autointel "):]


def test_live_display_shows_running_steps_elapsed_time_and_media_seconds() -> None:
    screen = io.StringIO()
    now = [100.0]
    display = LiveProgress(Console(file=screen, force_terminal=True, width=100), clock=lambda: now[0])
    with display:
        display(StepStarted("acquire", "acquisition", 0.0))
        display(ended("acquire", "acquisition", 0.4))
        now[0] = 101.0
        display(StepStarted(TRANSCRIBE, "transcription", 1.0))
        display(StepStarted("text_analysis", "analysis", 1.0))
        now[0] = 104.5
        display(MediaProgress(TRANSCRIBE, 83.0, 312.0))
        during = last_frame(ANSI.sub("", screen.getvalue()))
        display(ended(TRANSCRIBE, "transcription", 4.5))
        display(ended("text_analysis", "analysis", 4.6, "failed"))
    shown = ANSI.sub("", screen.getvalue())
    assert "4.5 s  2 running, 1 done" in during
    assert re.search(r"transcribe\s+3\.5 s\s+83\.0 s of 312\.0 s of media \(27%\)", during)
    assert re.search(r"text_analysis\s+3\.5 s", during)
    assert "  [   0.40s] acquisition   acquire                    done" in shown  # finished steps stay as lines
    assert "analysis      text_analysis              FAILED" in shown
    final = last_frame(shown)
    assert "0 running, 2 done, 1 failed" in final and TRANSCRIBE not in final


def test_media_seconds_without_a_known_length() -> None:
    screen = io.StringIO()
    display = LiveProgress(Console(file=screen, force_terminal=True, width=100), clock=lambda: 0.0)
    with display:
        display(StepStarted(TRANSCRIBE, "transcription", 0.0))
        display(MediaProgress(TRANSCRIBE, 12.25, None))
        frame = last_frame(ANSI.sub("", screen.getvalue()))
    assert "12.2 s of media" in frame and "%" not in frame


class _BrokenTerminal(io.StringIO):
    attempts = 0

    def write(self, text: str) -> int:
        self.attempts += 1
        raise OSError("terminal gone")

    def isatty(self) -> bool:
        return True


def test_a_broken_display_is_switched_off_and_never_fails_the_step(tmp_path: Path) -> None:
    calls: list[ProgressEvent] = []

    def failing(event: ProgressEvent) -> None:
        calls.append(event)
        raise RuntimeError("display bug")

    settings = fixture_settings(tmp_path)
    ctx = run_context("talk.wav", settings, Resources(settings), failing)
    with ctx.recorder.step("acquire", "acquisition"):
        ctx.transcript_feed.put(Segment(0.0, 1.5, "hello"))
    assert [s.status for s in ctx.recorder.steps()] == ["ok"]
    assert len(calls) == 1  # switched off after its first failure: not called again for the end or the segment

    terminal = _BrokenTerminal()
    with LiveProgress(Console(file=terminal, force_terminal=True)) as display:  # raises nothing, on any call
        display(StepStarted("acquire", "acquisition", 0.0))
        display(ended("acquire", "acquisition", 0.1))
    assert terminal.attempts >= 1  # it did try to draw


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["pipeline", "flow"])
def test_each_engine_reports_step_starts_and_the_decoders_media_seconds(
    engine: str, data_dir: Path, resources: Resources
) -> None:
    events: list[ProgressEvent] = []
    settings = fixture_settings(data_dir, depth=Depth.STANDARD, engine=engine)
    result = run_engine(str(talk_media("health_diet")), settings, resources, progress=events.append)
    assert result.status is Status.OK
    position = {(type(e).__name__, e.name): i for i, e in enumerate(events) if not isinstance(e, MediaProgress)}
    for step in (s for s in result.steps if s.name != STREAM_STEP):  # the consumer's span is recorded whole
        assert position[("StepStarted", step.name)] < position[("StepRecord", step.name)], step.name
    media = [(i, e) for i, e in enumerate(events) if isinstance(e, MediaProgress)]
    assert len(media) >= 3
    seconds = [e.media_s for _, e in media]
    assert seconds == sorted(seconds) and all(e.step == TRANSCRIBE for _, e in media)
    assert result.media is not None and seconds[-1] <= result.media.duration_s + 0.5
    assert seconds[-1] > 0.8 * result.media.duration_s  # the decoder got through the talk, and said so
    assert all(e.duration_s is not None and e.duration_s > 0 for _, e in media)
    assert position[("StepStarted", TRANSCRIBE)] < media[0][0] < media[-1][0] < position[("StepRecord", TRANSCRIBE)]


def _cli_run(tmp_path: Path, *extra: str) -> list[str]:
    return ["run", str(talk_media("health_diet")), "--depth", "standard", "--engine", "pipeline", "--format", "json",
            "--data-dir", str(tmp_path / "data"), *extra]


def _own_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if HIDDEN_COUNT not in line]


@pytest.mark.slow
def test_cli_prints_no_progress_when_stderr_is_not_a_terminal(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code = main(_cli_run(tmp_path))
    out, err = capsys.readouterr()
    assert code == 0 and json.loads(out)["status"] == "ok"
    assert _own_lines(err) == []


@pytest.mark.slow
def test_output_prints_the_line_naming_the_file_written(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    written = tmp_path / "result.json"
    code = main(_cli_run(tmp_path, "--output", str(written)))
    out, err = capsys.readouterr()
    assert code == 0 and out == ""
    assert json.loads(written.read_text())["status"] == "ok"
    assert _own_lines(err) == [f"autointel: wrote result to {written}"]


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.slow
def test_cli_on_a_terminal_draws_the_live_display(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.delenv("TERM", raising=False)  # a `dumb` TERM would make rich draw no live display
    written = tmp_path / "result.json"
    assert main(_cli_run(tmp_path, "--output", str(written))) == 0
    shown = ANSI.sub("", terminal.getvalue())
    assert re.search(r"transcribe\s+\d+\.\d s\s+\d+\.\d s of 61\.0 s of media \(\d+%\)", shown)
    assert re.search(r"\[\s*\d+\.\d\ds\] transcription\s+transcribe\s+done", shown)
    assert f"autointel: wrote result to {written}" in shown.splitlines()
