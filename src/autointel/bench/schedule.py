"""The run order: every (combo, engine) cell x (warmups + iterations), as randomised complete blocks.

Design, and why:
* All warmups come first, one shuffled block per warmup round. A cell's first runs in a process pay
  one-off costs (imports, model loads, page cache, lazily built stores); running every cell's warmup
  before any measured run means no measured run is a cell's first, whatever the order.
* Measured runs come in `iterations` blocks; each block holds every cell exactly once, in a seeded
  random order. Slow drift (thermal throttling, a growing vector store, background load) then hits
  every cell alike, and no cell is systematically measured early or late. A fully random order would
  let a cell's runs bunch up at one end by chance; blocks keep the balance at every prefix, which also
  makes an interrupted session's finished runs usable.
* Warmup runs are recorded (nothing is hidden) but dropped from every statistic.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from autointel.model.combo import Combo


@dataclass(frozen=True)
class Cell:
    flags: Combo
    engine: str

    @property
    def combo(self) -> str:
        """The combination's name, as samples and reports carry it."""
        return self.flags.name

    @property
    def id(self) -> str:
        return f"{self.combo}-{self.engine}"


@dataclass(frozen=True)
class Slot:
    cell: Cell
    iteration: int  # 0-based within the cell; warmups count separately
    warmup: bool
    order: int  # position in the session


def cells_for(combos: Sequence[Combo], engines: Sequence[str]) -> tuple[Cell, ...]:
    return tuple(Cell(flags, engine) for engine in engines for flags in combos)


def build_schedule(cells: Sequence[Cell], iterations: int, warmup: int, seed: int) -> list[Slot]:
    rng = random.Random(seed)
    slots: list[Slot] = []
    for warm, rounds in ((True, warmup), (False, iterations)):
        for i in range(rounds):
            block = list(cells)
            rng.shuffle(block)
            start = len(slots)
            slots.extend(Slot(cell, i, warm, start + k) for k, cell in enumerate(block))
    return slots


def interleave(schedules: Sequence[Sequence[Slot]]) -> list[tuple[int, Slot]]:
    """Several sessions' schedules as one run order: (session index, slot) pairs.

    Benches compared with each other (media lengths: time per minute at 1 min against 20 min) would otherwise
    run one after the other, so a slow spell of the machine lands on one bench and reads as a cost of its media.
    Here every warmup comes first, then each session's measured blocks are spread evenly over the whole
    order by their relative position, so sessions with different run counts still share every spell alike.
    Each session's own order is kept.
    """

    def rounds(schedule: Sequence[Slot], warmup: bool) -> int:
        return max((s.iteration + 1 for s in schedule if s.warmup == warmup), default=1)

    keyed: list[tuple[tuple[bool, float, int, int], int, Slot]] = []
    for index, schedule in enumerate(schedules):
        counts = {True: rounds(schedule, True), False: rounds(schedule, False)}
        for slot in schedule:
            position = (slot.iteration + 0.5) / counts[slot.warmup]
            keyed.append(((not slot.warmup, position, index, slot.order), index, slot))
    keyed.sort(key=lambda item: item[0])
    return [(index, slot) for _, index, slot in keyed]
