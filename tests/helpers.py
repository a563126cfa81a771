"""Small helpers the end-to-end and integration tests share."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import time

import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, timeout: float, what: str, *, interval: float = 0.1, ignore: tuple = ()):
    """Poll ``predicate`` until it returns something truthy (which is returned); fail after ``timeout`` s.
    Exceptions listed in ``ignore`` count as "not yet" (a server still starting)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except ignore:
            pass
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")


def stop_group(proc: subprocess.Popen, sig: int, what: str, timeout: float = 30) -> str:
    """Send ``sig`` to a process group started with ``start_new_session``; fail if it does not stop."""
    os.killpg(proc.pid, sig)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        pytest.fail(f"{what} did not stop on {signal.Signals(sig).name}:\n{out[-3000:]}")
    return out
