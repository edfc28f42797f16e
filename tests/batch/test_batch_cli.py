"""Bad input to `autointel batch` itself: one line on stderr, exit status 2, nothing started."""

from __future__ import annotations

from pathlib import Path

import pytest

from autointel.cli import main
from tests.helpers import free_port


@pytest.mark.parametrize(("args", "message"), [
    ([], "no sources given"),
    (["--from", "/no/such/list.txt"], "--from /no/such/list.txt: cannot be read"),
    (["x.mp3", "--workers", "0"], "--workers must be between 1 and 64"),
    (["x.mp3", "--ray-address", "nonsense"], "expected HOST:PORT"),
    (["x.mp3", "--ray-address", f"127.0.0.1:{free_port()}"], "no Ray head answers there"),
])
def test_bad_batch_input_is_one_line_and_exit_2(args: list[str], message: str, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["batch", *args, "--data-dir", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and message in err and "Traceback" not in err
    assert not (tmp_path / "batch").exists()  # nothing was started or written


def test_an_empty_source_list_file_is_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    listed = tmp_path / "list.txt"
    listed.write_text("# nothing yet\n", encoding="utf-8")
    assert main(["batch", "--from", str(listed), "--data-dir", str(tmp_path)]) == 2
    assert "no sources given" in capsys.readouterr().err
