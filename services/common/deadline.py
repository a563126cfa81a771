"""A CPU-time and memory limit for code that designers or admins write (BPMN scripts and conditions,
notification templates), without losing the worker thread that runs it: while the guarded code runs, a trace
function looks at this thread's CPU time at every line (and at the process's resident memory every few hundred
lines) and raises ``LimitExceeded`` inside the code once a limit is passed. Long loops in C
(``sum(range(10**12))``) give no lines to look at, so the sandboxes also bound the sizes such loops can reach
(ranges, repetitions, powers)."""
from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

DEFAULT_SECONDS = 2.0
DEFAULT_MEMORY = 256 * 1024 * 1024   # growth of the process's resident memory while the code runs
_MEMORY_EVERY = 256                  # lines between two looks at the memory
_STATM = Path("/proc/self/statm")
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
MAX_ITEMS = 100_000          # the longest range, repetition or sequence a sandboxed expression may build
MAX_BYTES = 1_000_000        # the longest text or list a sandboxed expression may build by * or **


class LimitExceeded(RuntimeError):  # noqa: N818 - reads as the sentence it carries
    """The guarded code ran longer than its CPU-time limit, or grew past its memory limit."""


def _resident() -> int:
    """Resident memory of this process in bytes (0 where /proc is not there: no memory check)."""
    try:
        return int(_STATM.read_text().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return 0


_active = threading.local()


@contextmanager
def cpu_deadline(seconds: float = DEFAULT_SECONDS, memory: int = DEFAULT_MEMORY) -> Iterator[None]:
    if getattr(_active, "until", None) is not None:   # nested: the outer limit already applies
        yield
        return
    until = time.thread_time() + seconds
    ceiling = _resident() + memory
    lines = [0]
    previous = sys.gettrace()

    def local(frame, event, arg):
        if time.thread_time() > until:
            raise LimitExceeded(f"exceeded its time limit of {seconds:g} s of CPU time")
        lines[0] += 1
        if lines[0] % _MEMORY_EVERY == 0 and ceiling > memory and _resident() > ceiling:
            raise LimitExceeded(f"exceeded its memory limit of {memory // 1024 // 1024} MB")
        return local

    def call(frame, event, arg):
        return local

    _active.until = until
    sys.settrace(call)
    try:
        yield
    finally:
        sys.settrace(previous)
        _active.until = None


def bounded_range(*args: int) -> range:
    result = range(*args)
    if len(result) > MAX_ITEMS:
        raise OverflowError(f"range() of more than {MAX_ITEMS:,} numbers is not allowed")
    return result


def bounded_binop(op: str, left, right):
    """``*`` and ``**`` (and ``<<``) that cannot build a value too large for memory."""
    if op == "*":
        for seq, count in ((left, right), (right, left)):
            if isinstance(seq, str | bytes | list | tuple) and isinstance(count, int) and \
                    len(seq) * count > MAX_BYTES:
                raise OverflowError(f"the result would be longer than {MAX_BYTES:,}")
        return left * right
    if op == "**":
        if isinstance(left, int) and isinstance(right, int) and abs(left) > 1 and right > 10_000:
            raise OverflowError("the power is too large")
        return left ** right
    if op == "<<":
        if isinstance(right, int) and right > 10_000:
            raise OverflowError("the shift is too large")
        return left << right
    raise ValueError(op)
