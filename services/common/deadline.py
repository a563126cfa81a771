"""A CPU-time limit for code that designers or admins write (BPMN scripts and conditions, notification
templates), without losing the worker thread that runs it: while the guarded code runs, a trace function looks
at this thread's CPU time at every line and raises ``TimeLimitExceeded`` inside the code once the limit is
passed. Long loops in C (``sum(range(10**12))``) give no lines to look at, so the sandboxes also bound the sizes
such loops can reach (ranges, repetitions, powers)."""
from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

DEFAULT_SECONDS = 2.0
MAX_ITEMS = 100_000          # the longest range, repetition or sequence a sandboxed expression may build
MAX_BYTES = 1_000_000        # the longest text or list a sandboxed expression may build by * or **


class TimeLimitExceeded(RuntimeError):
    """The guarded code ran longer than its CPU-time limit."""


_active = threading.local()


@contextmanager
def cpu_deadline(seconds: float = DEFAULT_SECONDS) -> Iterator[None]:
    if getattr(_active, "until", None) is not None:   # nested: the outer limit already applies
        yield
        return
    until = time.thread_time() + seconds
    previous = sys.gettrace()

    def local(frame, event, arg):
        if time.thread_time() > until:
            raise TimeLimitExceeded(f"exceeded its time limit of {seconds:g} s of CPU time")
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
