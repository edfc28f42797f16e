"""The local LLM server's process: llama.cpp's server, which ends when autointel goes away, however it goes.

autointel holds the write end of this process's stdin and never writes to it. When autointel exits, even killed
outright (SIGKILL, the OOM killer), the kernel closes that pipe, the read below returns end of file, and this
process exits instead of serving on as an orphan. (A parent-death signal would not do: Linux sends it when the
*thread* that started the child ends, and a run starts the server from whichever step thread needs it first.)
"""

from __future__ import annotations

import os
import runpy
import sys
import threading


def _exit_when_autointel_goes() -> None:
    while sys.stdin.buffer.read(1 << 16):
        pass  # nothing is ever written; a read returns b"" only at end of file
    os._exit(0)


def main() -> None:
    threading.Thread(target=_exit_when_autointel_goes, name="autointel-watch", daemon=True).start()
    sys.argv = ["llama_cpp.server", *sys.argv[1:]]
    runpy.run_module("llama_cpp.server", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
