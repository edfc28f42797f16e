"""The cluster path for real: a two-node Ray cluster on this machine (`ray start --head`, then a second
`ray start --address` with its own core) runs a batch, and the index says which node ran each source."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import DATASETS, free_port

SOURCES = [str(DATASETS / "speech" / n) for n in ("jfk.flac", "english.wav")]


def ray_command() -> str:
    found = shutil.which("ray") or str(Path(sys.executable).parent / "ray")
    assert Path(found).exists(), "the ray command comes with the ray package"
    return found


@pytest.fixture
def two_nodes(tmp_path: Path) -> Iterator[str]:
    ray, port = ray_command(), free_port()
    address = f"127.0.0.1:{port}"
    common = ["--num-cpus=1", "--disable-usage-stats"]
    try:
        subprocess.run([ray, "start", "--head", f"--port={port}", "--node-ip-address=127.0.0.1",
                        "--include-dashboard=false", *common], check=True, capture_output=True, timeout=180)
        subprocess.run([ray, "start", f"--address={address}", "--node-ip-address=127.0.0.1", *common],
                       check=True, capture_output=True, timeout=180)
        yield address
    finally:
        subprocess.run([ray, "stop", "--force"], capture_output=True, timeout=180)


def test_a_batch_on_a_two_node_cluster_records_the_node_of_each_source(two_nodes: str, tmp_path: Path) -> None:
    command = [sys.executable, "-m", "autointel.cli", "batch", *SOURCES, "--workers", "2", "--depth", "deep",
               "--ray-address", two_nodes, "--data-dir", str(tmp_path)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    index = json.loads((tmp_path / "batch" / "index.json").read_text(encoding="utf-8"))
    assert index["ray_address"] == two_nodes
    assert len(index["nodes"]) == 2  # one worker per node: each node has one core
    nodes = [s["node"] for s in index["sources"]]
    assert all(n in index["nodes"] for n in nodes) and len(set(nodes)) == 2
    assert "2 workers on 2 node(s)" in done.stdout
