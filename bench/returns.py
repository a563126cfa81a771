"""Return loops: the cost of one step (a return, then the re-assignment) at 0, 100 and 1,000 returns on one
instance. Goal: at most 1.2x growth.

Measured three ways, in this run, on this machine:
- the service: database + engine, each action a full load / act / mirror / conditional write (SQLite by
  default, ``--database-url postgresql+psycopg://…`` for PostgreSQL);
- the bare engine rewinding (what the service does), serialize + deserialize per step;
- the bare engine walking a loop-back flow (what SpiffWorkflow 3.2 does with a BPMN return flow): its tree nests
  one level deeper per return and dies of RecursionError at about 197, so it is measured up to 150.

    python -m bench.returns [--returns 1000] [--window 20] [--database-url URL] [--json PATH]
"""
from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlmodel import select

from services.common.auth import Principal
from services.common.bus.memory import InProcessBus
from services.common.envelope import make_event
from services.common.settings import settings_for
from services.process import engine
from services.process.app import ProcessSettings, create_app
from services.process.domain import instances, staffing
from services.process.models import ProcessTask

ROOT = Path(__file__).resolve().parents[1]
FIELD_REPORT = ROOT / "bpmn" / "field_report.bpmn"
GOAL = 1.2


def _directory(bus: InProcessBus, unit: str, people: dict[str, str]) -> None:
    bus.publish(make_event("orgunits.unit.created", source="orgunits", subject=unit, data={"unit": {
        "id": unit, "name": "Sở Khoa học và Công nghệ", "status": "active", "ancestor_ids": [], "version": 1}}))
    for account_id, name in people.items():
        bus.publish(make_event("identity.account.approved", source="identity", subject=account_id, data={
            "account": {"id": account_id, "full_name": name, "unit_id": unit, "status": "approved", "version": 1}}))
    bus.wait_idle(30)


def service_steps(returns: int, window: int, checkpoints: list[int], database_url: str | None) -> dict[int, float]:
    """Per-step milliseconds (median of ``window`` return+assign cycles) at each checkpoint."""
    var = Path(tempfile.mkdtemp(prefix="bench-returns-"))
    bus = InProcessBus()
    overrides = {"database_url": database_url} if database_url else {}
    app = create_app(settings_for("process", ProcessSettings, var_dir=var, env="test", log_format="json",
                                  log_level="WARNING", **overrides), bus=bus)
    runtime = app.extensions["egov"]
    runtime.start_consumers()
    try:
        unit, toan, hung = "bench-unit", "bench-toan", "bench-hung"
        _directory(bus, unit, {toan: "Đinh Trường Toàn", hung: "Phùng Tiến Hùng"})
        admin = Principal.system("bench-admin", unit)
        with runtime.db.uow() as uow:
            staffing.update_step(uow, admin, "field_report", unit, "Lane_distribute", staffing.StepUpdate(staff=[toan]))
        with runtime.db.uow() as uow:
            staffing.update_step(uow, admin, "field_report", unit, "Lane_handle",
                                 staffing.StepUpdate(staff=[toan, hung]))
        with runtime.db.uow() as uow:
            staffing.confirm(uow, admin, "field_report", unit)
        policy = instances.Policy()
        with runtime.db.uow() as uow:
            instance_id = instances.start(uow, policy, process_key="field_report", unit_id=unit,
                                          business_key="BENCH-1", variables={"title": "Phản ánh thử tải"}).id
        with runtime.db.session() as session:
            current = [session.exec(select(ProcessTask.id).where(ProcessTask.instance_id == instance_id,
                                                                 ProcessTask.status == "ready")).one()]
        distributor, handler = Principal(toan, unit), Principal(hung, unit)

        def cycle() -> float:
            """Like a client: the id of the next task comes from the previous answer."""
            started = time.perf_counter()
            with runtime.db.uow() as uow:
                (handle,) = instances.complete(uow, policy, distributor, current[0], action="assign",
                                               assign_to=[hung])["next"]
            with runtime.db.uow() as uow:
                (again,) = instances.return_to_previous(uow, policy, handler, handle["id"],
                                                        "Trả lại để phân công lại")["next"]
            current[0] = again["id"]
            return (time.perf_counter() - started) * 1000 / 2

        return _measure(cycle, window, checkpoints)
    finally:
        runtime.stop()


def _loop_back_xml() -> bytes:
    """The shipped PAHT with a BPMN return flow put back (Handle → Distribute), as a modeler would draw it."""
    xml = FIELD_REPORT.read_text()
    xml = xml.replace('<bpmn:outgoing>Flow_extension_requested</bpmn:outgoing>',
                      '<bpmn:outgoing>Flow_extension_requested</bpmn:outgoing>\n'
                      '      <bpmn:outgoing>Flow_back</bpmn:outgoing>', 1)
    xml = xml.replace('<bpmn:sequenceFlow id="Flow_start"',
                      '<bpmn:sequenceFlow id="Flow_back" sourceRef="Gateway_handle" targetRef="Distribute">'
                      '<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">action == "return_to_previous"'
                      '</bpmn:conditionExpression></bpmn:sequenceFlow>\n    <bpmn:sequenceFlow id="Flow_start"', 1)
    return xml.encode()


def engine_steps(xml: bytes, returns: int, window: int, checkpoints: list[int], rewind: bool) -> dict[int, float]:
    digest = hashlib.sha256(xml).hexdigest()
    run = engine.Run.start(xml, digest, "field_report", {"title": "x"})
    state = run.dump()

    def step(action: str) -> None:
        nonlocal state
        current = engine.Run.load(xml, digest, "field_report", state)
        (task,) = current.ready()
        if action == "return" and rewind:
            current.rewind_to("Distribute")
        else:
            current.complete(task.engine_id, {"action": "assign" if action == "assign" else "return_to_previous"})
        state = current.dump()

    def cycle() -> float:
        started = time.perf_counter()
        step("assign")
        step("return")
        return (time.perf_counter() - started) * 1000 / 2

    return _measure(cycle, window, checkpoints)


def _measure(cycle, window: int, checkpoints: list[int], windows: int = 3) -> dict[int, float]:
    """At each checkpoint, ``windows`` windows of ``window`` cycles; the lowest window median is kept, so a
    moment of noise on a shared machine (a checkpoint of the database, another process) does not pass for
    growth. The cycles of the measuring windows count as returns too."""
    result, done = {}, 0
    for _ in range(min(window, 20)):   # warm caches before the first checkpoint
        cycle()
    for checkpoint in checkpoints:
        while done < checkpoint:
            cycle()
            done += 1
        result[checkpoint] = min(statistics.median(cycle() for _ in range(window)) for _ in range(windows))
        done += window * windows
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--returns", type=int, default=1000)
    parser.add_argument("--window", type=int, default=50)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args(argv)
    checkpoints = sorted({0, min(100, args.returns), args.returns})
    rows = [("service (DB + engine), rewind", service_steps(args.returns, args.window, checkpoints,
                                                            args.database_url)),
            ("bare engine, rewind", engine_steps(FIELD_REPORT.read_bytes(), args.returns, args.window, checkpoints,
                                                 rewind=True))]
    walk_points = [c for c in (0, 100, 150) if c <= args.returns]
    rows.append(("bare engine, loop-back flow", engine_steps(_loop_back_xml(), 150, args.window, walk_points,
                                                             rewind=False)))
    print(f"\nReturn loops: ms per step (lowest median of 3 windows of {args.window} return+assign cycles); "
          f"goal: growth ≤ {GOAL}×")
    points = sorted({p for _name, found in rows for p in found})
    print(f"{'':34}" + "".join(f"{p:>10}" for p in points) + f"{'growth':>10}{'goal':>8}")
    figures = {}
    for name, found in rows:
        growth = found[max(found)] / found[0]
        cells = "".join(f"{found[p]:>10.2f}" if p in found else f"{'—':>10}" for p in points)
        verdict = "met" if growth <= GOAL else "missed"
        print(f"{name:34}{cells}{growth:>9.2f}×{verdict:>8}")
        figures[name] = {"ms_per_step": {str(k): round(v, 3) for k, v in found.items()}, "growth": round(growth, 3)}
    print("(the loop-back flow cannot go much further: SpiffWorkflow 3.2 raises RecursionError at ~197 returns)")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
