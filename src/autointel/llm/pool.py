"""Several llama.cpp server processes as one model: llama-cpp-python's server answers one request at a time, so
its "parallel slots" are processes here, each with its share of the cores. A call takes a free slot or waits for
one; that wait is the queueing the benchmark reports, apart from the time the server spent on the call."""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from autointel.llm.chat import Chat, ChatUnavailable, Completion


class ChatPool:
    def __init__(self, clients: Sequence[Chat]) -> None:
        if not clients:
            raise ValueError("a pool needs at least one client")
        self._clients = tuple(clients)
        self._free = list(range(len(clients)))
        self._dead: set[int] = set()
        self._sent = [0] * len(clients)
        self._ready = threading.Condition()

    @property
    def model(self) -> str:
        return self._clients[0].model

    def sent(self, slot: int) -> int:
        """How many requests this pool has sent to `slot` so far."""
        with self._ready:
            return self._sent[slot]

    def complete(self, system: str, user: str, schema: Mapping[str, Any], max_tokens: int) -> Completion:
        start = time.perf_counter()
        slot, sequence = self._take()
        queued = time.perf_counter() - start
        try:
            done = self._clients[slot].complete(system, user, schema, max_tokens)
        except ChatUnavailable:
            self._give_back(slot, dead=True)
            raise
        except BaseException:
            self._give_back(slot, dead=False)
            raise
        self._give_back(slot, dead=False)
        return replace(done, queued_s=queued, slot=slot, sequence=sequence)

    def _take(self) -> tuple[int, int]:
        with self._ready:
            while not self._free:
                if len(self._dead) == len(self._clients):
                    raise ChatUnavailable("every slot of the local model has failed")
                self._ready.wait()
            slot = self._free.pop(0)
            sequence = self._sent[slot]
            self._sent[slot] += 1
            return slot, sequence

    def _give_back(self, slot: int, dead: bool) -> None:
        with self._ready:
            if dead:
                self._dead.add(slot)
            else:
                self._free.append(slot)
            self._ready.notify_all()
