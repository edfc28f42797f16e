"""The LLM that runs here: `AUTOINTEL_LLM=local` talks to llama.cpp's server, started for the run when no
`AUTOINTEL_LLM_BASE_URL` names one already running (`autointel llm serve`). With several slots, one server process
per slot, the cores split between them."""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from autointel.llm.chat import OpenAIChat
from autointel.llm.perf import ServerTiming, parse_timings
from autointel.llm.pool import ChatPool
from autointel.llm.server import MODEL_NAME, LocalServer, ServerConfig, shipped_model


@dataclass(frozen=True)
class LocalLLM:
    """The chat pool and the server processes this process started (none when the base URL was given)."""

    chat: ChatPool
    servers: tuple[LocalServer, ...]

    def timings(self) -> dict[int, list[ServerTiming]]:
        """Per slot, what its server's log says of each request it answered, in order: only for the slots whose
        log accounts for every request sent (a request abandoned by a timeout would shift the rest)."""
        out: dict[int, list[ServerTiming]] = {}
        for slot, server in enumerate(self.servers):
            if server.log_path is not None and server.log_path.is_file():
                found = parse_timings(server.log_path.read_text(encoding="utf-8", errors="replace"))
                if len(found) == self.chat.sent(slot):
                    out[slot] = found
        return out

    def stop(self) -> None:
        for server in self.servers:
            server.stop()


def open_local(base_url: str | None, timeout_s: float, retries: int, log_dir: Path, slots: int = 1,
               threads: int = 2) -> LocalLLM:
    """Clients on the given server, or on `slots` servers started here (each with its share of `threads`)."""
    def client(url: str) -> OpenAIChat:
        return OpenAIChat(url, MODEL_NAME, timeout_s=timeout_s, retries=retries, style="grammar")

    if base_url is not None:
        return LocalLLM(ChatPool([client(base_url)]), ())
    model = shipped_model()
    per_slot = max(1, threads // slots)
    with ExitStack() as started:  # a server that fails to start stops the ones already up
        servers = []
        for slot in range(slots):
            server = LocalServer(ServerConfig(model, threads=per_slot), log_dir / f"llm-server-{slot}.log")
            server.start()
            started.callback(server.stop)
            servers.append(server)
        started.pop_all()
    return LocalLLM(ChatPool([client(s.base_url or "") for s in servers]), tuple(servers))
