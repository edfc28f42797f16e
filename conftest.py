"""Test-session isolation: every user-level folder points into one temporary directory.

CrewAI, onnxruntime and the XDG data dir all write under the home directory; the tests must
leave the real one untouched, so HOME and the XDG variables are redirected before any import.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

REAL_HOME = Path(os.environ.get("HOME") or Path.home())
SESSION_START = time.time()
SANDBOX = Path(tempfile.mkdtemp(prefix="autointel-tests-home-"))
for _name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
    os.environ[_name] = str(SANDBOX / _name.lower())
os.environ["HOME"] = str(SANDBOX / "home")
os.environ.setdefault("CREWAI_DISABLE_TELEMETRY", "true")
os.environ.setdefault("OTEL_SDK_DISABLED", "true")
os.environ.setdefault("CREWAI_TRACING_ENABLED", "false")
os.environ.pop("AUTOINTEL_DATA_DIR", None)
for _flag in ("ENABLE_PARALLEL_MEMORY_OPS", "ENABLE_PARALLEL_ANALYSIS", "ENABLE_PARALLEL_FACT_CHECKING",
              "ENABLE_PARALLEL_AUTOINTEL"):
    os.environ.pop(_flag, None)
(SANDBOX / "home").mkdir(parents=True, exist_ok=True)


def pytest_sessionfinish(session: object, exitstatus: int) -> None:
    import shutil

    shutil.rmtree(SANDBOX, ignore_errors=True)
