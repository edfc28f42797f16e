"""Bound a real provider's calls: one deadline per call, and no more calls once the provider has failed hard.

The OpenAI client's timeout covers one attempt of one call. A run makes many calls and CrewAI retries
each failed task, so a hung provider with a 3 s timeout and one retry once held a run for 199 s. The
guard makes the configured timeout hold for the run: each call (client retries included) gets at most
timeout x (retries + 1) plus the client's backoff, and after a timeout, a connection failure, a rejected
key, an unknown model or a server error that outlived the retries, every later call fails at once.
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from autointel.errors import AutointelError, first_line

if TYPE_CHECKING:
    from crewai.llms.base_llm import BaseLLM

T = TypeVar("T")
L = TypeVar("L", bound="BaseLLM")
_FATAL_STATUS = frozenset({401, 403, 404})  # bad key, no access, unknown model: the same for every call
_FATAL_NAMES = frozenset({"APIConnectionError", "APITimeoutError", "ReadTimeout", "ConnectTimeout"})


class ProviderUnavailable(AutointelError):
    """The LLM provider failed hard earlier in this run; no further call is attempted."""


def backoff_allowance_s(retries: int) -> float:
    """The OpenAI client's longest total sleep between attempts (0.5 s doubling, 8 s cap, jitter <= 1)."""
    return float(sum(min(0.5 * 2**attempt, 8.0) for attempt in range(retries)))


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def is_fatal(exc: BaseException) -> bool:
    """True when retrying later calls cannot help (CrewAI wraps the client's errors, so read the chain)."""
    for link in _chain(exc):
        status = getattr(link, "status_code", None)
        if isinstance(status, int) and (status in _FATAL_STATUS or status >= 500):
            return True
        if isinstance(link, TimeoutError | ConnectionError) or type(link).__name__ in _FATAL_NAMES:
            return True
    return False


@dataclass
class ProviderGuard:
    """Shared by every agent of a run: the first hard failure stops all later calls."""

    timeout_s: float
    retries: int
    _failure: str | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def call_budget_s(self) -> float:
        return self.timeout_s * (self.retries + 1) + backoff_allowance_s(self.retries)

    def _check_open(self) -> None:
        with self._lock:
            failure = self._failure
        if failure is not None:
            raise ProviderUnavailable(f"LLM provider not called again after an earlier failure: {failure}")

    def _trip(self, exc: BaseException) -> None:
        first = first_line(exc, "")
        with self._lock:
            if self._failure is None:
                self._failure = f"{type(exc).__name__}: {first}"[:300]

    def _observe(self, exc: BaseException) -> None:
        if is_fatal(exc):
            self._trip(exc)

    def run(self, call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """`call(*args, **kwargs)` on a daemon thread, waited for at most the call budget."""
        self._check_open()
        box: dict[str, Any] = {}
        context = contextvars.copy_context()  # CrewAI pairs its events through context variables

        def work() -> None:
            try:
                box["value"] = context.run(call, *args, **kwargs)
            except BaseException as exc:  # handed to the waiting thread, which re-raises it
                box["error"] = exc

        worker = threading.Thread(target=work, name="autointel-llm-call", daemon=True)
        worker.start()
        worker.join(self.call_budget_s)
        if worker.is_alive():
            timeout = TimeoutError(f"LLM call did not finish within {self.call_budget_s:.1f} s "
                                   f"({self.timeout_s:g} s x {self.retries + 1} attempts)")
            self._trip(timeout)
            raise timeout
        if "error" in box:
            self._observe(box["error"])
            raise box["error"]
        value: T = box["value"]
        return value

    async def arun(self, call: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> T:
        """The async twin of `run`: the same budget through `asyncio.wait_for`."""
        self._check_open()
        try:
            return await asyncio.wait_for(call(*args, **kwargs), self.call_budget_s)
        except BaseException as exc:
            self._observe(exc)
            raise


def guard_llm(llm: L, guard: ProviderGuard) -> L:
    """Route an LLM object's `call`/`acall` through the guard, keeping the object CrewAI built.

    CrewAI reads many attributes of its native LLM classes (stop words, streaming, token usage), so
    replacing the two entry points on the instance is safer than a wrapper that must mimic them all.
    """
    call, acall = llm.call, llm.acall

    def guarded_call(*args: Any, **kwargs: Any) -> Any:
        return guard.run(call, *args, **kwargs)

    async def guarded_acall(*args: Any, **kwargs: Any) -> Any:
        return await guard.arun(acall, *args, **kwargs)

    object.__setattr__(llm, "call", guarded_call)  # pydantic models refuse plain assignment of non-fields
    object.__setattr__(llm, "acall", guarded_acall)
    return llm
