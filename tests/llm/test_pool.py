"""The slot pool (one llama.cpp process per slot) and the server's own timings read from its log."""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from typing import Any

import pytest

from autointel.llm.chat import ChatUnavailable, Completion
from autointel.llm.perf import parse_timings
from autointel.llm.pool import ChatPool

LOG = """
llama_perf_context_print:        load time =       0.69 ms
llama_perf_context_print: prompt eval time =     236.86 ms /    95 tokens (    2.49 ms per token)
llama_perf_context_print:        eval time =     234.45 ms /    34 runs   (    6.90 ms per token)
llama_perf_context_print:       total time =     666.74 ms /   129 tokens
INFO:     127.0.0.1:50194 - "POST /v1/chat/completions HTTP/1.1" 200 OK
llama_perf_context_print: prompt eval time =     154.23 ms /    58 tokens (    2.66 ms per token)
"""


class _Slow:
    """A client that takes `seconds` per call (a named seam: `Chat`); the real one is tested in test_local_llm."""

    def __init__(self, seconds: float, dead: bool = False) -> None:
        self.seconds, self.dead, self.active, self.most = seconds, dead, 0, 0
        self.lock = threading.Lock()

    @property
    def model(self) -> str:
        return "m"

    def complete(self, system: str, user: str, schema: Mapping[str, Any], max_tokens: int) -> Completion:
        if self.dead:
            raise ChatUnavailable("gone")
        with self.lock:
            self.active += 1
            self.most = max(self.most, self.active)
        time.sleep(self.seconds)
        with self.lock:
            self.active -= 1
        return Completion("{}", 1, 1, self.seconds)


def test_each_slot_answers_one_call_at_a_time_and_the_wait_is_measured() -> None:
    clients = [_Slow(0.2), _Slow(0.2)]
    pool = ChatPool(clients)
    done: list[Completion] = []
    threads = [threading.Thread(target=lambda: done.append(pool.complete("s", "u", {}, 1))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [c.most for c in clients] == [1, 1]
    assert sorted(c.slot for c in done) == [0, 0, 1, 1] and sorted(c.sequence for c in done) == [0, 0, 1, 1]
    assert sum(c.queued_s > 0.1 for c in done) == 2  # two calls waited for a slot
    assert (pool.sent(0), pool.sent(1)) == (2, 2)


def test_a_dead_slot_leaves_the_pool_and_the_last_one_ends_it() -> None:
    pool = ChatPool([_Slow(0.0, dead=True), _Slow(0.0)])
    with pytest.raises(ChatUnavailable):
        pool.complete("s", "u", {}, 1)
    assert pool.complete("s", "u", {}, 1).slot == 1
    only = ChatPool([_Slow(0.0, dead=True)])
    with pytest.raises(ChatUnavailable):
        only.complete("s", "u", {}, 1)
    with pytest.raises(ChatUnavailable, match="every slot"):
        only.complete("s", "u", {}, 1)


def test_the_server_log_gives_one_timing_per_finished_request() -> None:
    (timing,) = parse_timings(LOG)  # the second block is unfinished
    assert (timing.prompt_tokens, timing.generated) == (95, 34)
    assert (round(timing.prompt_s, 5), round(timing.generate_s, 5), round(timing.total_s, 5)) == (0.23686, 0.23445,
                                                                                                  0.66674)
