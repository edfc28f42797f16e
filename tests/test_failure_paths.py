"""Total failure paths (issue 32, item 5): an output that cannot be written, a store that cannot be saved."""

from __future__ import annotations

import errno
import json
from pathlib import Path

import pytest

from autointel.cli import main
from tests.helpers import EVIDENCE, talk_media


def disk_full(path: Path, text: str) -> None:
    raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.parametrize("option", ["--output", "--metrics-file"])
def test_an_output_path_that_cannot_exist_is_refused_before_any_work(
    option: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a_file = tmp_path / "plain.txt"
    a_file.write_text("x")
    for bad in (tmp_path, a_file / "result.json", tmp_path / "missing" / "result.json"):
        assert main(["run", str(talk_media("health_diet")), "--data-dir", str(tmp_path / "data"),
                     option, str(bad)]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and option in err[0]
    assert not (tmp_path / "data").exists()  # nothing ran


def test_a_result_that_cannot_be_written_is_printed_instead(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The seam: the durable writer (its real behaviour is tested in test_reliability's re-run cases). The graph
    # module binds the real writer at its import: imported first here, the patch cannot leak into it for good.
    import autointel.memory.graph  # noqa: F401

    monkeypatch.setattr("autointel.atomic.atomic_write_text", disk_full)
    target = tmp_path / "result.json"
    code = main(["run", str(talk_media("health_diet")), "--depth", "standard", "--engine", "pipeline",
                 "--data-dir", str(tmp_path / "data"), "--format", "json", "--output", str(target)])
    captured = capsys.readouterr()
    assert code == 1
    assert [line for line in captured.err.splitlines() if "cannot write --output" in line]
    assert "No space left on device" in captured.err and "Traceback" not in captured.err
    assert json.loads(captured.out)["transcript"]["text"]  # the work is on stdout, not lost
    assert not target.exists()


def test_a_graph_that_cannot_be_saved_at_close_leaves_a_partial_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from autointel.engines import run_engine
    from autointel.memory.graph import KnowledgeGraph
    from autointel.model import Status
    from autointel.settings import Depth, load_settings

    def failing_save(self: KnowledgeGraph) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(KnowledgeGraph, "save", failing_save)
    settings = load_settings({}, depth=Depth.COMPREHENSIVE, engine="pipeline", data_dir=tmp_path,
                             evidence_dir=EVIDENCE)
    result = run_engine(str(talk_media("health_diet")), settings)
    assert result.status is Status.PARTIAL
    assert result.transcript is not None and result.analysis is not None  # the work is kept
    assert any(e.phase == "integration" and "Read-only" in e.message for e in result.errors)


def test_a_provider_turn_that_raises_is_listed_in_the_pipeline_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from autointel.engines import run_engine
    from autointel.llm.profiles import ProviderModel
    from autointel.model import Status
    from autointel.settings import Depth, load_settings

    real_draw = ProviderModel._draw

    def draw(self: ProviderModel, task: str) -> float:
        if task == "perspective_synthesis":
            raise RuntimeError("provider exploded")
        return real_draw(self, task)

    monkeypatch.setattr(ProviderModel, "_draw", draw)  # the seam: the provider's turn
    settings = load_settings({}, depth=Depth.STANDARD, engine="pipeline", data_dir=tmp_path)
    result = run_engine(str(talk_media("health_diet")), settings)
    assert result.status is Status.PARTIAL
    assert any(e.type == "RuntimeError" and e.message == "provider exploded" for e in result.errors)
    assert {s.name: s.status for s in result.steps}["perspective_synthesis"] == "failed"
