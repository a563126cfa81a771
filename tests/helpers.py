"""Small helpers the end-to-end and integration tests share."""
from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest


def free_ports(count: int = 1) -> int:
    """The first of ``count`` consecutive ports free now, for a server a test starts later. They lie below the
    range the kernel hands out to outgoing connections (a port taken from that range, as binding port 0 does,
    can be given to one of the hundreds of connections a set-up makes before the server binds)."""
    low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    for _ in range(50):
        base = 10000 + secrets.randbelow(low - 10000 - count)
        try:
            for offset in range(count):
                with socket.socket() as sock:
                    sock.bind(("127.0.0.1", base + offset))
        except OSError:
            continue
        return base
    pytest.fail(f"no {count} free ports in a row below {low}")


def free_port() -> int:
    return free_ports(1)


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


_VALIDATORS: dict = {}


def check_published_events(gateway) -> list[str]:
    """Every event the suite's services wrote in a test against the published contract: the envelope schema, the
    payload schema its ``dataschema`` names (formats checked: a ``date-time`` is one), and the subject its type
    promises (``SUBJECTS`` of each events module). Returns the type of each event checked."""
    import json

    import jsonschema_rs
    from sqlmodel import select

    from services.asyncapi import SUBJECTS
    from services.common.eventmodel import subject_from
    from services.common.models import OutboxMessage

    docs = Path(__file__).resolve().parents[1] / "docs" / "events"

    def validator(name: str):
        if name not in _VALIDATORS:
            schema = json.loads((docs / name).read_text(encoding="utf-8"))
            _VALIDATORS[name] = (schema["$id"], jsonschema_rs.validator_for(schema, validate_formats=True))
        return _VALIDATORS[name]

    checked = []
    for name, app in gateway.apps.items():
        with app.extensions["egov"].db.session() as session:
            events = [row.event() for row in session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()]
        for event in events:
            where = f"{name}: {event['type']} {event['id']}"
            problems = [e.message for e in validator("envelope.schema.json")[1].iter_errors(event)]
            if (docs / f"{event['type']}.schema.json").exists():   # (a test's own BPMN may publish its own types)
                schema_id, payload = validator(f"{event['type']}.schema.json")
                problems += [f"dataschema {event['dataschema']} is not {schema_id}"] \
                    if event["dataschema"] != schema_id else []
                problems += [f"data: {e.message} at {list(e.instance_path)}"
                             for e in payload.iter_errors(event["data"])]
            template, _words = SUBJECTS.get(event["type"], (None, ""))
            if template and subject_from(template, event["data"]) != event["subject"]:
                problems.append(f"subject {event['subject']!r} is not {template} = "
                                f"{subject_from(template, event['data'])!r}")
            assert not problems, f"{where} breaks the published contract: {problems}"
            checked.append(event["type"])
    return checked
