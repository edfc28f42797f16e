"""A pipeline's flags as the harness sees them, and one combination of them.

The harness benchmarks any pipeline, so it cannot know autointel's flags: a pipeline declares a `FlagSpace`
(the flags its full-factorial matrix spans, optional extras judged one at a time against their twin without
them, and its engines), and every schedule cell, sample and comparison names a `Combo` of that space.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass

RESERVED = frozenset({"baseline", "sequential", "none", "all", "matrix"})
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class ComboError(ValueError):
    """A combination or flag space that cannot be named or parsed."""


@dataclass(frozen=True)
class FlagSpace:
    """`factors`: the flags whose every combination the matrix runs; `extras`: flags benchmarked on top of a
    combination (`all+extra`) and judged against it; `engines`: the ways the pipeline can run, and
    `reference_engine` the one each other engine's cost is measured against (None: no engine costs)."""

    factors: tuple[str, ...]
    extras: tuple[str, ...] = ()
    engines: tuple[str, ...] = ("default",)
    reference_engine: str | None = None

    def __post_init__(self) -> None:
        names = (*self.factors, *self.extras)
        bad = [n for n in names if not _NAME.match(n) or n in RESERVED]
        if bad or len(set(names)) != len(names):
            raise ComboError(f"flag names must be distinct lower_snake_case words other than {sorted(RESERVED)}, "
                             f"got {list(names)}")
        if not self.engines or len(set(self.engines)) != len(self.engines):
            raise ComboError(f"a flag space needs distinct engines, got {list(self.engines)}")
        if self.reference_engine is not None and self.reference_engine not in self.engines:
            raise ComboError(f"reference engine {self.reference_engine!r} is not one of {list(self.engines)}")

    @property
    def names(self) -> tuple[str, ...]:
        return (*self.factors, *self.extras)

    @property
    def baseline(self) -> Combo:
        return Combo(self, frozenset())

    def combo(self, on: Iterable[str]) -> Combo:
        chosen = frozenset(on)
        unknown = chosen - set(self.names)
        if unknown:
            raise ComboError(f"unknown flag(s) {sorted(unknown)}; this pipeline has {list(self.names)}")
        return Combo(self, chosen)

    def matrix(self) -> tuple[Combo, ...]:
        """Every combination of the factors, baseline first (the last factor varies fastest)."""
        return tuple(self.combo(n for n, v in zip(self.factors, values, strict=True) if v)
                     for values in itertools.product((False, True), repeat=len(self.factors)))

    def parse(self, text: str) -> Combo:
        """`baseline`, `all` (every factor on), or flag names joined by `+` (`all+extra`, `a+b`)."""
        text = text.strip().lower()
        if text in ("baseline", "sequential", "none"):
            return self.baseline
        parts = {p.strip() for p in text.split("+") if p.strip()}
        on = set(self.factors) if "all" in parts else set()
        parts.discard("all")
        if not (parts or on) or parts - set(self.names):
            raise ComboError(f"unknown flag combination {text!r}; use baseline, all or names from "
                             f"{sorted(self.names)} joined by '+'")
        return self.combo(on | parts)

    def parse_list(self, text: str) -> tuple[Combo, ...]:
        """`matrix`, or a comma list of `parse` names; baseline always included, first."""
        text = text.strip().lower()
        found = list(self.matrix()) if text == "matrix" else [self.parse(p) for p in text.split(",") if p.strip()]
        return tuple(dict.fromkeys([self.baseline, *found]))


@dataclass(frozen=True)
class Combo:
    """Which flags of `space` are on."""

    space: FlagSpace
    on: frozenset[str]

    @property
    def name(self) -> str:
        """`baseline`, `all[+extras]` or the flags on joined by `+`, in the space's order."""
        extras = [n for n in self.space.extras if n in self.on]
        if self.space.factors and all(n in self.on for n in self.space.factors):
            return "+".join(["all", *extras])
        named = [n for n in self.space.factors if n in self.on] + extras
        return "+".join(named) if named else "baseline"

    @property
    def optimised(self) -> bool:
        """Any extra on: judged against its `reference` twin, outside the factorial design."""
        return any(n in self.on for n in self.space.extras)

    @property
    def reference(self) -> Combo:
        """This combination without its extras."""
        return Combo(self.space, self.on - set(self.space.extras))

    def values(self) -> dict[str, bool]:
        """Every flag of the space, on or off, in the space's order."""
        return {n: n in self.on for n in self.space.names}

    def factor_values(self) -> tuple[bool, ...]:
        return tuple(n in self.on for n in self.space.factors)
