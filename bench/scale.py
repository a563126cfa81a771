"""Queries at scale on PostgreSQL, each timed many times and reported as p50/p99:

- the unit tree: the Bình Thuận tree imported ×100 (67,900 units) through orgunits' own import; subtree,
  ancestors and search (without diacritics) as the API runs them;
- the inbox: 1,000,000 open tasks over that many units and 50,000 accounts, written straight into the
  process tables in one INSERT … SELECT each; my inbox, one deadline bucket, a unit's open tasks — through the
  same function the API calls.
"""
from __future__ import annotations

import copy
import json
import random
import statistics
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import psycopg
from sqlalchemy import text

from services.common.auth import Principal
from services.common.db import Database, migrate

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
ROOT = Path(__file__).resolve().parents[1]


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def timed(fn, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


@contextmanager
def fresh_database(prefix: str):
    """A new PostgreSQL database for one benchmark section, dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _copies(tree: dict, copies: int):
    for number in range(copies):
        clone = copy.deepcopy(tree)
        stack = [clone]
        while stack:
            node = stack.pop()
            node["code"] = f"X{number:03d}.{node['code']}"
            stack.extend(node.get("children") or [])
        clone["name"] = f"{clone['name']} (bản sao {number + 1})"
        yield clone


def tree_figures(copies: int, samples: int) -> dict:
    from services.orgunits.app import DEMO_TREE
    from services.orgunits.domain.transfer import ImportRequest, import_tree
    from services.orgunits.domain.tree import ancestors, search, subtree

    tree = json.loads(DEMO_TREE.read_text(encoding="utf-8"))
    system = Principal.system("bench")
    with fresh_database("egov_bench_tree") as url:
        migrate("orgunits", url)
        db = Database(url, "orgunits")
        started = time.perf_counter()
        for clone in _copies(tree, copies):
            with db.uow() as uow:
                import_tree(uow, system, ImportRequest(tree=clone))
        loaded = time.perf_counter() - started
        with db.session() as session:
            session.execute(text("ANALYZE"))
            units = session.execute(text("SELECT id, depth FROM unit")).all()
            total = len(units)
            departments = [u.id for u in units if u.depth >= 2]   # a Sở, a district and below
            deep = [u.id for u in units if u.depth >= 4]
            rng = random.Random(7)
            words = ["so khoa hoc", "phong giao duc", "ủy ban nhân dân", "đảng ủy", "trung tâm y tế", "binh thuan"]
            result = {
                "units": total, "load_seconds": round(loaded, 1),
                "subtree": timed(lambda: subtree(session, rng.choice(departments)), samples),
                "ancestors": timed(lambda: ancestors(session, rng.choice(deep)), samples),
                "search": timed(lambda: search(session, rng.choice(words), limit=20), samples),
            }
        db.dispose()
    return result


# the process service's read model of units (100 per parent) and people, for the sections that need it
DIRECTORY_SQL = """
INSERT INTO process_unit (id, name, path, status, as_of)
SELECT 'u' || g, 'Đơn vị ' || g, '/root/' || ((g - 1) / 100) || '/u' || g || '/', 'active', ''
FROM generate_series(1, :units) AS g;
INSERT INTO process_person (account_id, full_name, unit_id, status, as_of)
SELECT 'a' || g, 'Cán bộ ' || g, 'u' || (1 + g % :units), 'approved', ''
FROM generate_series(1, :accounts) AS g;
"""
INBOX_SQL = """
INSERT INTO process_instance (id, definition_id, process_key, definition_version, unit_id, business_key, title,
                              state, variables, engine_state, version, total_days, extension, started_at)
SELECT 'i' || g, :definition, 'field_report', 1, 'u' || (1 + g % :units), NULL, 'Phản ánh ' || g, 'running',
       '{}', '{}', 1, 5, '{}', now()
FROM generate_series(1, :tasks) AS g;
INSERT INTO process_task (id, instance_id, engine_id, process_key, unit_id, lane_id, step, spec_id, name, status,
                          assignees, candidates, created_at, due_at)
SELECT 't' || g, 'i' || g, md5(g::text), 'field_report', 'u' || (1 + g % :units),
       (ARRAY['Lane_distribute','Lane_handle','Lane_approve'])[1 + g % 3], 1 + g % 3,
       (ARRAY['Distribute','Handle','Approve'])[1 + g % 3], 'Việc ' || g, 'ready', '[]', '[]', now(),
       now() + ((g % 240) - 40) * interval '1 hour'
FROM generate_series(1, :tasks) AS g;
INSERT INTO process_task_actor (account_id, task_id)
SELECT 'a' || (1 + (g::bigint * 7919) % :accounts), 't' || g FROM generate_series(1, :tasks) AS g
UNION
SELECT 'a' || (1 + (g::bigint * 104729) % :accounts), 't' || g FROM generate_series(1, :tasks) AS g WHERE g % 2 = 0;
"""


def inbox_figures(tasks: int, units: int, accounts: int, samples: int) -> dict:
    from services.process.domain import definitions
    from services.process.domain.inbox import inbox
    from services.process.domain.sla import WorkingCalendar

    with fresh_database("egov_bench_inbox") as url:
        migrate("process", url)
        db = Database(url, "process")
        with db.uow() as uow:
            (definition,) = definitions.deploy(uow, (ROOT / "bpmn" / "field_report.bpmn").read_bytes(),
                                               "field_report.bpmn", "bench")
            definition_id = definition.id
        started = time.perf_counter()
        with db.session() as session:
            for statement in [part for sql in (DIRECTORY_SQL, INBOX_SQL) for part in sql.split(";") if part.strip()]:
                session.execute(text(statement), {"units": units, "accounts": accounts, "tasks": tasks,
                                                  "definition": definition_id})
            session.commit()
            session.execute(text("ANALYZE"))
            session.commit()
        loaded = time.perf_counter() - started
        calendar = WorkingCalendar()
        rng = random.Random(11)
        with db.session() as session:
            def mine():
                who = Principal(f"a{rng.randint(1, accounts)}", None)
                inbox(session, who, calendar, scope="mine", page_size=20)

            def bucket():
                who = Principal(f"a{rng.randint(1, accounts)}", None)
                inbox(session, who, calendar, scope="mine", bucket=rng.choice(["overdue", "due_soon"]), page_size=20)

            def unit():
                unit_id = f"u{rng.randint(1, units)}"
                inbox(session, Principal.system("bench", unit_id), calendar, scope="unit",
                      unit_id=unit_id, page_size=20)

            for warm in (mine, bucket, unit):
                timed(warm, 20)
            result = {"tasks": tasks, "units": units, "accounts": accounts, "load_seconds": round(loaded, 1),
                      "mine": timed(mine, samples), "bucket": timed(bucket, samples),
                      "unit": timed(unit, samples)}
        db.dispose()
    return result


def summary(samples: list[float]) -> dict:
    return {"p50": round(statistics.median(samples), 2), "p99": round(percentile(samples, 99), 2)}


@contextmanager
def fresh_vhost():
    """A RabbitMQ vhost of its own (guest may use it), deleted afterwards."""
    import subprocess
    vhost = f"egov_bench_{uuid.uuid4().hex[:8]}"
    subprocess.run(["rabbitmqctl", "add_vhost", vhost], check=True, capture_output=True, timeout=60)
    subprocess.run(["rabbitmqctl", "set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"], check=True,
                   capture_output=True, timeout=60)
    try:
        yield f"amqp://guest:guest@127.0.0.1:5672/{vhost}"
    finally:
        subprocess.run(["rabbitmqctl", "delete_vhost", vhost], capture_output=True, timeout=60)


def event_figures(count: int, paced: int = 200, rate: float = 50.0) -> dict:
    """Outbox → relay (confirms, persistent, quorum queue) → kombu consumer. First ``count`` events committed as
    fast as possible (events per second through the whole chain), then ``paced`` events at ``rate`` per second,
    below saturation: the time from each commit to the consumer's handler."""
    import threading

    from services.common.bus.amqp import KombuBus
    from services.common.outbox import OutboxRelay

    received: dict[str, float] = {}
    lock = threading.Lock()

    def handler(event: dict) -> None:
        with lock:
            received[event["subject"]] = time.perf_counter()

    def wait_for(subjects, timeout=120.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not all(s in received for s in subjects):
            time.sleep(0.01)

    with fresh_database("egov_bench_events") as url, fresh_vhost() as amqp:
        migrate("orgunits", url)
        db = Database(url, "bench")
        bus = KombuBus(amqp, prefetch=64)
        bus.subscribe("bench.sink", ["bench.#"], handler)
        bus.declare()
        bus.start()
        relay = OutboxRelay(db, bus, batch=200, interval=0.05)
        stop = threading.Event()
        thread = threading.Thread(target=relay.run, args=(stop,), daemon=True)
        thread.start()
        committed: dict[str, float] = {}

        def emit(subject: str) -> None:
            with db.uow() as uow:
                uow.emit("bench.measured", subject, {"subject": subject})
                uow.commit()
            committed[subject] = time.perf_counter()

        try:
            burst = [f"b{n}" for n in range(count)]
            started = time.perf_counter()
            for subject in burst:
                emit(subject)
            wait_for(burst)
            got = [received[s] for s in burst if s in received]
            per_second = len(got) / (max(got) - started) if got else 0.0
            steady = [f"p{n}" for n in range(paced)]
            for subject in steady:
                emit(subject)
                time.sleep(1 / rate)
            wait_for(steady)
        finally:
            stop.set()
            db.outbox_signal.set()
            thread.join(10)
            bus.close()
            db.dispose()
    subjects = burst + steady
    latencies = [(received[s] - committed[s]) * 1000 for s in steady if s in received]
    return {"count": len(subjects), "received": sum(1 for s in subjects if s in received), "latency": latencies,
            "events_per_second": round(per_second, 1), "paced_rate": rate}
