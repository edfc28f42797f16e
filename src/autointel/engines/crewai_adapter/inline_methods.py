"""CrewAI's agent executor with its Flow's sync methods run on the thread that runs the executor.

A CrewAI 1.15 Flow runs each sync method through `asyncio.to_thread`, and records each finished method
with one more. The agent executor is such a Flow, on a loop of its own (its `kickoff` calls `asyncio.run`),
so every task made dozens of thread hand-offs, each a wait for the GIL. When no other Python thread is
busy a hand-off is cheap; when one is (a step beside it doing Python work), each waits for the holder's
switch interval. What that costs per task, with and without this, is measured in docs/crewai.md.

The executor's loop is private to its kickoff and runs one method at a time (its listeners fire one per
event), so nothing waits on the loop while a method runs. The call sees what a pool thread sees: no running
loop, so CrewAI's code inside takes the same paths (its own `asyncio.run`s included). A Flow awaited on a
shared loop (`kickoff_async` called directly) keeps CrewAI's threads.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextvars import ContextVar
from typing import Any

from autointel.engines.crewai_adapter.compat import PATCHES_APPLY

# Set by `kickoff` for the `kickoff_async` it starts on a fresh loop; reset there, so a flow awaited later
# on the same loop does not inherit it.
_OWN_LOOP: ContextVar[bool] = ContextVar("autointel_executor_owns_loop", default=False)


class CallerRunsExecutor(ThreadPoolExecutor):
    """A loop's default executor that runs each call at once in the caller's thread, with no loop running.

    asyncio accepts only a ThreadPoolExecutor as a default executor; this one never starts a thread."""

    def __init__(self) -> None:
        super().__init__(max_workers=1, thread_name_prefix="autointel-inline")

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        loop = asyncio._get_running_loop()
        asyncio._set_running_loop(None)  # as in a pool thread: CrewAI's `asyncio.run` calls work inside
        try:
            result = fn(*args, **kwargs)
        except BaseException as exc:  # handed to the awaiting coroutine, as a pool thread would
            future.set_exception(exc)
        else:
            future.set_result(result)
        finally:
            asyncio._set_running_loop(loop)
        return future


class InlineSyncMethods:
    """Put among a CrewAI Flow subclass's bases, before Flow: a `kickoff` runs its sync methods inline."""

    def kickoff(self, *args: Any, **kwargs: Any) -> Any:
        if not PATCHES_APPLY:
            return super().kickoff(*args, **kwargs)  # type: ignore[misc]
        token = _OWN_LOOP.set(True)
        try:
            return super().kickoff(*args, **kwargs)  # type: ignore[misc]
        finally:
            _OWN_LOOP.reset(token)

    async def kickoff_async(self, *args: Any, **kwargs: Any) -> Any:
        if _OWN_LOOP.get():
            _OWN_LOOP.set(False)
            asyncio.get_running_loop().set_default_executor(CallerRunsExecutor())
        return await super().kickoff_async(*args, **kwargs)  # type: ignore[misc]
