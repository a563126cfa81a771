"""`make chaos`: fault tests with real processes. Every deploy/Procfile process runs under a small supervisor
(restarting what dies, as systemd or a container runtime would) on PostgreSQL and RabbitMQ, with production
settings. While field reports are driven through distribute → handle → approve and units are created in
orgunits: kill -9 each web process in turn, the relays, the consumers and the scheduler; ``rabbitmqctl
stop_app`` / ``start_app``; terminate every PostgreSQL connection of the suite. Then, once everything is
delivered, compare:

- every instance is completed, or running with exactly the ready tasks its engine state says (resumable);
- every outbox row was published; an integrator's pika queue (bound to everything) holds every event id;
- every consumer of the suite applied every event routed to it once (its inbox), notify made exactly one
  notification per assignee of each ``process.task.assigned`` event, process's unit read model equals orgunits';
- counts: started, completed, events published, received, duplicates suppressed, lost (must be 0).

The broker and the database are always left running.

    python -m bench.chaos [--quick]
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pika
import psycopg
import requests

from bench import throughput
from bench.scale import ADMIN_URL
from services.identity import events as identity_events
from services.notify import events as notify_events
from services.orgunits import events as orgunits_events
from services.process import events as process_events

ROOT = Path(__file__).resolve().parents[1]
# queue → (the consumer's database, its routing patterns): what each service subscribes
CONSUMERS = {
    **{module.CONSUMER_QUEUE: (service, module.CONSUMES) for service, module in (
        ("identity", identity_events), ("orgunits", orgunits_events), ("process", process_events),
        ("notify", notify_events))},
    process_events.INTAKE_QUEUE: ("process", list(process_events.ACCEPTED)),
}


def procfile() -> dict[str, str]:
    entries = {}
    for line in (ROOT / "deploy" / "Procfile").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, command = line.split(":", 1)
            entries[name.strip()] = command.strip()
    return entries


class Supervisor:
    """Runs each Procfile entry in its own process group and starts it again when it dies."""

    def __init__(self, env: dict[str, str], logs: Path):
        self.env, self.logs = env, logs
        self.entries = procfile()
        self.procs: dict[str, subprocess.Popen] = {}
        self.restarts: dict[str, int] = dict.fromkeys(self.entries, 0)
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _start(self, name: str) -> None:
        log = open(self.logs / f"{name}.log", "a")  # noqa: SIM115 - the child keeps it
        self.procs[name] = subprocess.Popen(["bash", "-c", f"exec {self.entries[name]}"], cwd=ROOT, env=self.env,
                                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def start(self) -> None:
        for name in self.entries:
            self._start(name)
        self._thread.start()

    def _watch(self) -> None:
        while not self._stopping.is_set():
            for name, proc in list(self.procs.items()):
                if proc.poll() is not None and not self._stopping.is_set():
                    time.sleep(0.5)
                    self.restarts[name] += 1
                    self._start(name)
            self._stopping.wait(0.2)

    def kill(self, name: str) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.procs[name].pid, signal.SIGKILL)

    def stop(self) -> None:
        self._stopping.set()
        for proc in self.procs.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)

    def count_in_logs(self, needle: str) -> int:
        return sum(path.read_text(errors="replace").count(needle) for path in self.logs.glob("*.log"))


def _pg(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def _rows(url: str, sql: str, params=()) -> list[tuple]:
    with psycopg.connect(_pg(url)) as conn:
        return conn.execute(sql, params).fetchall()


def _matches(pattern: str, event_type: str) -> bool:
    regex = "^" + re.escape(pattern).replace(r"\#", ".*").replace(r"\*", r"[^.]+") + "$"
    return re.match(regex, event_type) is not None


def faults(supervisor: Supervisor, databases: dict[str, str], pause: float, log: list[str]) -> None:
    order = ["process-web", "identity-web", "orgunits-web", "notify-web", "process-relay", "orgunits-relay",
             "process-consumer", "notify-consumer", "identity-consumer", "process-scheduler", "notify-dispatch"]
    for name in order:
        log.append(f"kill -9 {name}")
        supervisor.kill(name)
        time.sleep(pause)
    log.append("rabbitmqctl stop_app")
    try:
        subprocess.run(["rabbitmqctl", "stop_app"], check=True, capture_output=True, timeout=60)
        time.sleep(pause)
    finally:
        subprocess.run(["rabbitmqctl", "start_app"], check=True, capture_output=True, timeout=120)
        log.append("rabbitmqctl start_app")
    time.sleep(pause)
    names = [url.rsplit("/", 1)[1] for url in databases.values()]
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        killed = conn.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                              "WHERE datname = ANY(%s) AND pid <> pg_backend_pid()", (names,)).fetchone()[0]
    log.append(f"terminated {killed} PostgreSQL connections")
    time.sleep(pause)


def side_load(orgunits: str, token: str, stop: threading.Event, made: list[str]) -> None:
    """Units created in orgunits while everything else happens (their events feed process and identity)."""
    number = 0
    with requests.Session() as session:
        while not stop.is_set():
            number += 1
            with contextlib.suppress(requests.RequestException):
                response = session.post(f"{orgunits}/units", headers={"Authorization": f"Bearer {token}"},
                                        json={"code": f"CH{number:05d}", "name": f"Đơn vị thử lỗi {number}"},
                                        timeout=10)
                if response.status_code == 201:
                    made.append(response.json()["id"])
            stop.wait(0.3)


def settle(databases: dict[str, str], broker: str, timeout: float = 180) -> None:
    """Wait until every outbox is published and every consumer queue is empty (twice in a row)."""
    vhost = broker.rsplit("/", 1)[1]
    calm, deadline = 0, time.monotonic() + timeout
    while time.monotonic() < deadline:
        unsent = sum(_rows(url, "SELECT count(*) FROM outbox WHERE sent_at IS NULL")[0][0]
                     for url in databases.values())
        listed = subprocess.run(["rabbitmqctl", "-q", "list_queues", "-p", vhost, "name", "messages"],
                                capture_output=True, text=True, timeout=60).stdout
        waiting = sum(int(parts[1]) for parts in (line.split() for line in listed.splitlines())
                      if len(parts) == 2 and parts[1].isdigit() and parts[0] in CONSUMERS)
        calm = calm + 1 if unsent == 0 and waiting == 0 else 0
        if calm >= 2:
            return
        time.sleep(1)
    raise RuntimeError("the suite did not settle: events still waiting")


def check(databases: dict[str, str], broker: str, integrator: str, supervisor: Supervisor) -> dict:
    from services.process import engine

    published = {}
    for service, url in databases.items():
        for event_id, event_type, body in _rows(url, "SELECT event_id, event_type, body FROM outbox"):
            published[event_id] = (service, event_type, body)
    received, deliveries = set(), 0
    with pika.BlockingConnection(pika.URLParameters(broker)) as conn:
        channel = conn.channel()
        while True:
            method, _props, body = channel.basic_get(integrator, auto_ack=True)
            if method is None:
                break
            deliveries += 1
            received.add(json.loads(body)["id"])
    lost_to_integrator = sorted(set(published) - received)

    lost_in_consumers, applied = {}, 0
    for queue, (service, patterns) in CONSUMERS.items():
        expected = {eid for eid, (_s, etype, _b) in published.items() if any(_matches(p, etype) for p in patterns)}
        seen = {row[0] for row in _rows(databases[service], "SELECT event_id FROM inbox WHERE consumer = %s",
                                        (queue,))}
        applied += len(seen & expected)
        missing = expected - seen
        if missing:
            lost_in_consumers[queue] = len(missing)

    # notify: one notification per assignee of each assignment, never two
    expected_notes = set()
    for event_id, (_service, event_type, body) in published.items():
        if event_type == "process.task.assigned":
            for account in json.loads(body)["data"]["task"]["assignees"]:
                expected_notes.add((event_id, account))
    notes = _rows(databases["notify"], "SELECT event_id, account_id FROM notification "
                                       "WHERE event_type = 'process.task.assigned'")
    double_notes = len(notes) - len(set(notes))
    missing_notes = len(expected_notes - set(notes))

    units = {row[0] for row in _rows(databases["orgunits"], "SELECT id FROM unit")}
    unit_refs = {row[0] for row in _rows(databases["process"], "SELECT id FROM process_unit")}
    read_model_diff = len((unit_refs - {throughput.BENCH_UNIT}) ^ units)   # the bench's unit came by pika

    inconsistent, started, completed = [], 0, 0
    definitions = {row[0]: row[1:] for row in _rows(databases["process"],
                                                      "SELECT id, xml, content_hash, key FROM process_definition")}
    for inst_id, state, definition_id, engine_state in _rows(
            databases["process"], "SELECT id, state, definition_id, engine_state FROM process_instance"):
        started += 1
        mirrored = {row[0] for row in _rows(databases["process"], "SELECT engine_id FROM process_task "
                                                                  "WHERE instance_id = %s AND status = 'ready'",
                                            (inst_id,))}
        if state == "completed":
            completed += 1
            if mirrored:
                inconsistent.append(inst_id)
            continue
        xml, digest, key = definitions[definition_id]
        ready = {t.engine_id for t in engine.Run.load(xml, digest, key, engine_state).ready()}
        if not ready or ready != mirrored:
            inconsistent.append(inst_id)
    return {"instances_started": started, "instances_completed": completed,
            "instances_resumable": started - completed - len(inconsistent), "inconsistent": len(inconsistent),
            "events_published": len(published), "integrator_deliveries": deliveries,
            "integrator_distinct": len(received), "lost_to_integrator": len(lost_to_integrator),
            "consumer_events_applied": applied, "lost_in_consumers": sum(lost_in_consumers.values()),
            "lost_by_queue": lost_in_consumers,
            "duplicates_suppressed": supervisor.count_in_logs("inbox.duplicate_ignored"),
            "notifications_missing": missing_notes, "notifications_doubled": double_notes,
            "read_model_differences": read_model_diff, "restarts": dict(supervisor.restarts),
            "lost": len(lost_to_integrator) + sum(lost_in_consumers.values()) + missing_notes,
            "double_effects": double_notes}


def run(quick: bool) -> dict:
    clients, pause = (3, 1.0) if quick else (8, 4.0)
    log: list[str] = []
    with contextlib.ExitStack() as stack:
        logs = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="egov-chaos-")))
        env, databases, broker, ports, keys = stack.enter_context(throughput.production_env("INFO"))
        with pika.BlockingConnection(pika.URLParameters(broker)) as conn:
            channel = conn.channel()
            integrator = "integrator.chaos"
            channel.queue_declare(integrator, durable=True, arguments={"x-queue-type": "quorum"})
            channel.queue_bind(integrator, "egov.events", routing_key="#")
        supervisor = Supervisor(env, logs)
        supervisor.start()
        try:
            suite = throughput.wait_ready(keys, ports, broker)
            people = throughput.prepare(suite)
            stop_side, made = threading.Event(), []
            side = threading.Thread(target=side_load, args=(
                f"http://127.0.0.1:{ports['orgunits']}/api/orgunits",
                suite["keys"].mint(sub="chaos-admin", perms=["system.admin"], ttl=3600), stop_side, made))
            side.start()
            load_stop = threading.Event()
            load: dict = {}
            driver = threading.Thread(target=lambda: load.update(throughput.drive(
                suite, people, clients, None, stop=load_stop, tolerant=True)))
            driver.start()
            time.sleep(pause)
            try:
                faults(supervisor, databases, pause, log)
            finally:
                subprocess.run(["rabbitmqctl", "start_app"], capture_output=True, timeout=120)
                time.sleep(pause)
                load_stop.set()
                stop_side.set()
                driver.join(120)
                side.join(30)
            settle(databases, broker)
            result = check(databases, broker, integrator, supervisor)
            result.update(faults=log, load={k: load.get(k) for k in ("instances", "errors", "seconds")},
                          units_created=len(made))
        finally:
            supervisor.stop()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    result = run(args.quick)
    print("\nchaos: " + "; ".join(result["faults"]))
    for key in ("instances_started", "instances_completed", "instances_resumable", "inconsistent",
                "events_published", "integrator_deliveries", "integrator_distinct", "consumer_events_applied",
                "duplicates_suppressed", "notifications_missing", "notifications_doubled", "read_model_differences",
                "lost", "double_effects"):
        print(f"  {key:28} {result[key]}")
    print(f"  restarts: {result['restarts']}\n  load: {result['load']}, units created: {result['units_created']}")
    return 0 if result["lost"] == 0 and result["double_effects"] == 0 and result["inconsistent"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
