"""Peak RSS of one run: the kernel's resettable high-water mark where Linux allows it, else a polling thread.

The harness reports which method measured each run (`method`), and what the meter itself cost (`cpu_s`), so a
reader can tell an exact peak from a sampled one and see the harness's share of the run's CPU.
"""

from __future__ import annotations

import re
import threading
import time
from contextlib import suppress
from pathlib import Path

import psutil

RSS_INTERVAL_S = 0.015


class RssSampler:
    """Polls the process RSS from a daemon thread; the peak is the max over polls and both ends.

    The fallback where the kernel's high-water mark cannot be reset (see `KernelPeakRss`). `cpu_s` is the
    thread's own CPU time: the part of the harness's cost that runs beside the target."""

    method = "polled"

    def __init__(self, proc: psutil.Process, interval_s: float = RSS_INTERVAL_S) -> None:
        self._proc = proc
        self._interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="autointel-rss", daemon=True)
        self.peak = 0
        self.cpu_s = 0.0

    def _poll(self) -> None:
        with suppress(psutil.Error):
            self.peak = max(self.peak, int(self._proc.memory_info().rss))

    def _loop(self) -> None:
        while not self._stop.wait(self._interval_s):
            self._poll()
        self.cpu_s = time.thread_time()  # this thread's CPU since it started (read before join returns)

    def start(self) -> None:
        self._poll()
        self._thread.start()

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        self._poll()
        return self.peak


class KernelPeakRss:
    """The run's exact peak RSS from Linux's own high-water mark (VmHWM), reset when the run starts.

    No thread and no polls: nothing runs beside the target (a 15 ms poller cost about 14 ms of CPU per second,
    most of the harness's own work on a 1 s run), and no peak between two polls is missed.
    """

    method = "kernel_hwm"
    cpu_s = 0.0

    def __init__(self, proc_dir: Path = Path("/proc/self")) -> None:
        self._status, self._clear_refs = proc_dir / "status", proc_dir / "clear_refs"

    @classmethod
    def available(cls, proc_dir: Path = Path("/proc/self")) -> KernelPeakRss | None:
        """A meter if this process may reset its high-water mark (Linux 4.0+, /proc mounted), else None."""
        meter = cls(proc_dir)
        try:
            meter.start()
            meter.stop()
        except (OSError, ValueError):
            return None
        return meter

    def start(self) -> None:
        self._clear_refs.write_text("5")  # 5: reset the peak RSS to the current RSS (proc(5), clear_refs)

    def stop(self) -> int:
        match = re.search(r"^VmHWM:\s+(\d+) kB$", self._status.read_text(), re.MULTILINE)
        if match is None:
            raise ValueError("no VmHWM line in /proc/self/status")
        return int(match.group(1)) * 1024


def peak_rss_meter(proc: psutil.Process, interval_s: float = RSS_INTERVAL_S) -> KernelPeakRss | RssSampler:
    """The kernel's high-water mark where it can be reset, else a polling thread."""
    return KernelPeakRss.available() or RssSampler(proc, interval_s)
