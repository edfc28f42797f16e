"""Fault injection (`AUTOINTEL_FAULTS`), for tests and benchmarks: make a phase fail, hang or slow down.

Syntax: comma-separated `TARGET:MODE`, where TARGET is a phase (`verification`) or a step
(`fact_check`, `memory_store`; `memory` means `memory_store`) and MODE is `error`, `timeout`
or `slow=<seconds>s`. Example: `verification:error,memory:slow=2s`.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from autointel.errors import PhaseError, SettingsError

_ALIASES = {"memory": "memory_store", "graph": "graph_build"}
_SLOW = re.compile(r"slow=(\d+(?:\.\d+)?)s?")


class InjectedFault(PhaseError):
    """Raised by an `error` fault."""


@dataclass(frozen=True)
class Fault:
    target: str
    mode: str  # error | timeout | slow
    seconds: float = 0.0

    def applies_to(self, step_kind: str, phase: str) -> bool:
        return self.target in (step_kind, phase)

    def trigger(self) -> None:
        if self.mode == "slow":
            time.sleep(self.seconds)
        elif self.mode == "timeout":
            raise TimeoutError(f"injected timeout in {self.target}")
        else:
            raise InjectedFault(f"injected fault in {self.target}")


def parse_faults(spec: str, known_targets: frozenset[str]) -> tuple[Fault, ...]:
    faults = []
    for item in filter(None, (part.strip() for part in spec.split(","))):
        target, _, mode = item.partition(":")
        target = _ALIASES.get(target.strip(), target.strip())
        mode = mode.strip()
        if target not in known_targets:
            raise SettingsError(f"AUTOINTEL_FAULTS: unknown target {target!r} in {item!r}")
        slow = _SLOW.fullmatch(mode)
        if slow:
            faults.append(Fault(target, "slow", float(slow.group(1))))
        elif mode in ("error", "timeout"):
            faults.append(Fault(target, mode))
        else:
            raise SettingsError(f"AUTOINTEL_FAULTS: unknown mode {mode!r} in {item!r} (error, timeout, slow=Ns)")
    return tuple(faults)
