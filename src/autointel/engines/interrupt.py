"""Ctrl-C while an engine runs: the running steps are told to stop and waited for, within a grace period.

Steps not yet started skip themselves, running ones stop at their next check (the decoder between blocks),
so no worker thread is left inside a native library when the interpreter exits; a second Ctrl-C during that
wait is answered with a line, not a traceback or an abort.
"""

from __future__ import annotations

import logging
import sys
import threading
import time

from autointel.engines.context import RunContext

INTERRUPT_GRACE_S = 30.0  # how long Ctrl-C waits for the running steps before the stores close


def wind_down(ctx: RunContext, finished: threading.Event) -> None:
    """On Ctrl-C: steps not yet started skip themselves; wait for the running ones, so no CrewAI thread is
    left to touch the closed stores or log tracebacks while the interpreter shuts down."""
    ctx.cancelled.set()
    deadline = time.monotonic() + INTERRUPT_GRACE_S
    while True:
        try:
            done = finished.wait(max(deadline - time.monotonic(), 0.0))
            break
        except KeyboardInterrupt:  # another Ctrl-C while winding down: keep waiting, within the same grace
            print("autointel: still stopping: the running steps end at their next check", file=sys.stderr)
    if not done:  # a long step still runs: CrewAI must not print over the exit
        logging.getLogger("crewai").setLevel(logging.CRITICAL + 1)
