"""Field-report throughput on the production path: honcho starts deploy/Procfile (one gunicorn per service,
outbox relays, consumers, the scheduler, notify's dispatcher) on PostgreSQL and RabbitMQ with production
settings; N concurrent clients each start a report and drive it through distribute → handle → approve over
HTTP. The baseline is bare SpiffWorkflow doing the same steps in one process with serialize + deserialize per
step — the engine's own cost, the floor for this design."""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pika
import requests
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import serialization

from bench.scale import fresh_database, fresh_vhost, percentile
from services.common.devkeys import DevKeys
from services.common.envelope import make_event
from services.process import engine

ROOT = Path(__file__).resolve().parents[1]
SERVICES = ("identity", "orgunits", "process", "notify")
BENCH_UNIT = "bench-skhcn"


def baseline(seconds: float) -> float:
    """Instances per second of bare SpiffWorkflow: start, then assign / handle / approve, each step loading
    the state from JSON and dumping it again."""
    xml = (ROOT / "bpmn" / "field_report.bpmn").read_bytes()
    digest = hashlib.sha256(xml).hexdigest()
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        state = engine.Run.start(xml, digest, "field_report", {"title": "Phản ánh"}).dump()
        for data in ({"action": "assign"}, {"action": "handle", "result": "Đã xử lý"}, {"action": "approve"}):
            run = engine.Run.load(xml, digest, "field_report", state)
            (task,) = run.ready()
            run.complete(task.engine_id, data)
            state = run.dump()
        done += 1
    return done / (time.perf_counter() - started)


def _free_port() -> int:
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def production_env(log_level: str = "WARNING"):
    """Fresh databases (migrated), a fresh vhost (declared) with a broker user of its own, and the production
    environment of every service: yields (env, databases, broker url, ports, the token-signing keys)."""
    keys = DevKeys.generate()
    private_pem = keys.private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                 serialization.NoEncryption()).decode()
    with contextlib.ExitStack() as stack:
        databases = {s: stack.enter_context(fresh_database(f"egov_bench_{s}")) for s in SERVICES}
        vhost_url = stack.enter_context(fresh_vhost())
        vhost = vhost_url.rsplit("/", 1)[1]
        user, password = f"egov_b_{uuid.uuid4().hex[:8]}", secrets.token_urlsafe(16)
        subprocess.run(["rabbitmqctl", "add_user", "--", user, password], check=True, capture_output=True, timeout=60)
        stack.callback(subprocess.run, ["rabbitmqctl", "delete_user", user], capture_output=True, timeout=60)
        subprocess.run(["rabbitmqctl", "set_permissions", "-p", vhost, user, ".*", ".*", ".*"], check=True,
                       capture_output=True, timeout=60)
        broker = f"amqp://{user}:{password}@127.0.0.1:5672/{vhost}"
        ports = {s: _free_port() for s in SERVICES}
        env = dict(os.environ)
        for service in SERVICES:
            prefix = service.upper()
            env.update({f"{prefix}_ENV": "production", f"{prefix}_DATABASE_URL": databases[service],
                        f"{prefix}_BUS_URL": broker, f"{prefix}_SECRET_KEY": secrets.token_urlsafe(32),
                        f"{prefix}_PORT": str(ports[service]), f"{prefix}_LOG_FORMAT": "json",
                        f"{prefix}_LOG_LEVEL": log_level, f"{prefix}_JWT_PUBLIC_KEY": keys.public_pem})
        sealing_key = Fernet.generate_key().decode()
        env.update({"IDENTITY_SIGNING_KEY": private_pem, "IDENTITY_BOOTSTRAP_ADMIN_PASSWORD": secrets.token_urlsafe(16),
                    "IDENTITY_SEALING_KEY": sealing_key, "NOTIFY_SEALING_KEY": sealing_key,
                    "PROCESS_WEB_WORKERS": env.get("PROCESS_WEB_WORKERS", "2")})
        for service in SERVICES:
            for step in ("migrate", "declare"):
                subprocess.run([sys.executable, "-m", "services.common.worker", service, step], cwd=ROOT, env=env,
                               check=True, capture_output=True, timeout=120)
        yield env, databases, broker, ports, keys


def wait_ready(keys: DevKeys, ports: dict, broker: str, honcho: subprocess.Popen | None = None) -> dict:
    for service in SERVICES:
        base = f"http://127.0.0.1:{ports[service]}/api/{service}"
        deadline = time.monotonic() + 90
        while True:
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline or (honcho is not None and honcho.poll() is not None):
                raise RuntimeError(f"{service} did not become ready")
            time.sleep(0.3)
    return {"keys": keys, "broker": broker, "process": f"http://127.0.0.1:{ports['process']}/api/process"}


@contextlib.contextmanager
def production_suite():
    """Every Procfile process (honcho) on fresh databases and a fresh vhost."""
    with production_env() as (env, _databases, broker, ports, keys):
        honcho = subprocess.Popen([str(ROOT / ".venv/bin/honcho"), "-f", "deploy/Procfile", "start"], cwd=ROOT,
                                  env=env, start_new_session=True, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        try:
            yield wait_ready(keys, ports, broker, honcho)
        finally:
            os.killpg(honcho.pid, signal.SIGTERM)
            try:
                honcho.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(honcho.pid, signal.SIGKILL)
                honcho.wait(10)


def _publish(broker: str, *events: dict) -> None:
    with pika.BlockingConnection(pika.URLParameters(broker)) as conn:
        channel = conn.channel()
        channel.confirm_delivery()
        for event in events:
            channel.basic_publish("egov.events", event["type"], json.dumps(event).encode())


def prepare(suite: dict) -> dict:
    """One unit with its two officers (as directory events), PAHT staffed and confirmed over HTTP."""
    unit, toan, hung = BENCH_UNIT, "bench-toan", "bench-hung"
    _publish(suite["broker"], make_event("orgunits.unit.created", source="orgunits", subject=unit, data={"unit": {
        "id": unit, "name": "Sở Khoa học và Công nghệ", "status": "active", "ancestor_ids": [], "version": 1}}),
        *[make_event("identity.account.approved", source="identity", subject=who, data={"account": {
            "id": who, "full_name": name, "unit_id": unit, "status": "approved", "version": 1}})
          for who, name in ((toan, "Đinh Trường Toàn"), (hung, "Phùng Tiến Hùng"))])
    keys, base = suite["keys"], suite["process"]
    admin = {"Authorization": "Bearer " + keys.mint(sub="bench-admin", unit=unit, perms=["process.configure"],
                                                    admin_units=[unit], ttl=3600)}
    url = f"{base}/units/{unit}/processes/field_report/staffing"
    deadline = time.monotonic() + 60
    for lane, staff in (("Lane_distribute", [toan]), ("Lane_handle", [toan, hung])):
        while True:   # the consumer applies the directory events in its own time
            response = requests.patch(f"{url}/steps/{lane}", headers=admin, json={"staff": staff}, timeout=10)
            if response.status_code == 200:
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"staffing failed: {response.text}")
            time.sleep(0.3)
    requests.post(f"{url}/confirm", headers=admin, timeout=10).raise_for_status()
    return {"unit": unit, "toan": toan, "hung": hung,
            "toan_h": {"Authorization": "Bearer " + keys.mint(sub=toan, unit=unit, ttl=3600)},
            "hung_h": {"Authorization": "Bearer " + keys.mint(sub=hung, unit=unit, ttl=3600)}}


def drive(suite: dict, people: dict, clients: int, seconds: float | None, *, stop: threading.Event | None = None,
          tolerant: bool = False) -> dict:
    """``clients`` threads, each driving one report after another until ``seconds`` pass or ``stop`` is set.
    ``tolerant`` (chaos): a failed call abandons that report — it stays where it was, to be resumed."""
    base = suite["process"]
    latencies: dict[str, list[float]] = {"start": [], "assign": [], "handle": [], "approve": []}
    errors: list[str] = []
    completed = [0]
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds if seconds else float("inf")
    stop = stop or threading.Event()

    def call(session, kind, url, headers, body):
        started = time.perf_counter()
        response = session.post(url, headers=headers, json=body, timeout=30 if not tolerant else 10)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code not in (200, 201):
            raise RuntimeError(f"{kind}: {response.status_code} {response.text[:200]}")
        with lock:
            latencies[kind].append(elapsed)
        return response.json()

    def client():
        with requests.Session() as session:
            while time.perf_counter() < stop_at and not stop.is_set():
                try:
                    started = call(session, "start", f"{base}/instances", people["toan_h"], {
                        "process_key": "field_report", "unit_id": people["unit"],
                        "variables": {"title": "Phản ánh thử tải"}})
                    distribute = started["current"][0]["id"]
                    (handle,) = call(session, "assign", f"{base}/tasks/{distribute}/complete", people["toan_h"],
                                     {"action": "assign", "assign_to": [people["hung"]]})["next"]
                    (approve,) = call(session, "handle", f"{base}/tasks/{handle['id']}/complete", people["hung_h"],
                                      {"action": "handle", "data": {"result": "Đã xử lý"}})["next"]
                    call(session, "approve", f"{base}/tasks/{approve['id']}/complete", people["toan_h"],
                         {"action": "approve"})
                    with lock:
                        completed[0] += 1
                except (RuntimeError, requests.RequestException, KeyError, ValueError) as exc:
                    with lock:
                        errors.append(str(exc)[:300])
                    if tolerant:
                        time.sleep(0.2)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    calls = sum(len(v) for v in latencies.values())
    return {"clients": clients, "seconds": round(elapsed, 1), "instances": completed[0], "errors": len(errors),
            "first_errors": errors[:3], "instances_per_second": round(completed[0] / elapsed, 1),
            "calls_per_second": round(calls / elapsed, 1),
            "latency": {kind: {"p50": round(statistics.median(v), 1), "p95": round(percentile(v, 95), 1),
                               "p99": round(percentile(v, 99), 1)} for kind, v in latencies.items() if v}}


def throughput_figures(clients: int, seconds: float) -> dict:
    floor = baseline(min(seconds, 10))
    with production_suite() as suite:
        people = prepare(suite)
        result = drive(suite, people, clients, seconds)
    result["baseline_instances_per_second"] = round(floor, 1)
    result["ratio"] = round(result["instances_per_second"] / floor, 3) if floor else 0.0
    return result
