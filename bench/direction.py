"""Task direction at scale on PostgreSQL: 100,000 tasks over the ×100 unit tree's count of units, in sub-task
chains 10 levels deep, with their participants, written straight into the direction tables in one
INSERT … SELECT each; then, through the functions the API calls: a person's list, one deadline bucket, an
assigning unit's report and the "took part in" view. Beside them, creating a sub-task at depth 1 and at depth 10
of a real chain (the lifecycle's BPMN instance included), to show the cost does not grow with depth."""
from __future__ import annotations

import random
import time

from sqlalchemy import text

from bench.scale import DIRECTORY_SQL, ROOT, fresh_database, percentile, timed
from services.common.auth import Principal
from services.common.db import Database, migrate

CHAIN = 10
TASKS_SQL = """
INSERT INTO direction_assignment (id, summary, assigning_unit_id, assigner_id, created_by, created_at)
SELECT 'as' || c, 'Văn bản ' || c, 'u' || (1 + c % :leaders), 'a' || (1 + c % :accounts), 'a' || (1 + c % :accounts),
       now() - (c % 300) * interval '1 day'
FROM generate_series(1, :chains) AS c;
INSERT INTO direction_task (id, assignment_id, parent_id, root_id, path, depth, name, search, assigning_unit_id,
                            executing_unit_id, assigner_id, created_by, priority, deadline, status_group_id, status,
                            category, handlers, progress, leaves, leaf_progress, progress_locked, acted, created_at,
                            completed_at, done_at, version)
SELECT 'd' || c || '_' || l, 'as' || c, CASE WHEN l = 0 THEN NULL ELSE 'd' || c || '_' || (l - 1) END, 'd' || c || '_0',
       '/' || (SELECT string_agg('d' || c || '_' || k, '/' ORDER BY k) FROM generate_series(0, l) AS k) || '/', l,
       'Nhiệm vụ ' || c || '.' || l, 'nhiem vu ' || c || '.' || l,
       CASE WHEN l = 0 THEN 'u' || (1 + c % :leaders) ELSE 'u' || (1 + (c * 31 + l) % :units) END,
       'u' || (1 + (c * 31 + l + 1) % :units), 'a' || (1 + c % :accounts), 'a' || (1 + c % :accounts),
       (ARRAY['none','urgent','high','normal','low'])[1 + (c + l) % 5],
       now() + (((c * 7 + l) % 120) - 30) * interval '1 day', :group,
       (ARRAY['new','in_progress','waiting_approval','done','refused'])[1 + (c + l) % 5],
       (ARRAY['new','in_progress','waiting_approval','done','refused'])[1 + (c + l) % 5],
       json_build_array('a' || (1 + (c * 7919 + l) % :accounts)), (c + l) % 100, 1, (c + l) % 100, false, true,
       now() - (c % 300) * interval '1 day',
       CASE WHEN (c + l) % 5 = 3 THEN now() - ((c + l) % 40) * interval '1 day' END,
       CASE WHEN (c + l) % 5 = 3 THEN now() - ((c + l) % 30) * interval '1 day' END, 1
FROM generate_series(1, :chains) AS c, generate_series(0, :depth - 1) AS l;
INSERT INTO direction_participant (task_id, account_id, role)
SELECT id, handlers ->> 0, role FROM direction_task, unnest(ARRAY['holder', 'handler', 'representative']) AS role
UNION
SELECT id, created_by, role FROM direction_task, unnest(ARRAY['creator', 'follower']) AS role
UNION
SELECT id, 'a' || (1 + (abs(hashtext(id)) % :accounts)), 'follower' FROM direction_task;
"""


def _deep_chain(db: Database, policy) -> tuple[str, str, list[str]]:
    """A real chain of 11 units, one under the other, each with its representative; a task of the top unit and
    sub-tasks down to depth 9 created through the domain. Returns (the depth-0 task, the depth-9 task, the
    representatives by level)."""
    from services.process.domain.direction import creating
    from services.process.models import DirectionUnitRole, PersonRef, UnitRef

    reps = [f"deep-a{n}" for n in range(CHAIN + 2)]
    with db.uow() as uow:
        path = "/"
        for n in range(CHAIN + 2):
            path += f"deep-u{n}/"
            uow.session.add(UnitRef(id=f"deep-u{n}", name=f"Cấp {n}", path=path, status="active"))
            uow.session.add(PersonRef(account_id=reps[n], full_name=f"Người nhận cấp {n}", unit_id=f"deep-u{n}"))
            uow.session.add(DirectionUnitRole(unit_id=f"deep-u{n}", side="execute", role="representative",
                                              account_id=reps[n]))
        uow.session.add(DirectionUnitRole(unit_id="deep-u0", side="assign", role="leader", account_id=reps[0]))
        uow.commit()
    with db.uow() as uow:
        made = creating.create_assignment(uow, policy, Principal(reps[0], "deep-u0"), creating.AssignmentSpec(
            summary="Chuỗi nhiệm vụ", assigner_id=reps[0], tasks=[creating.TaskSpec(
                name="Cấp 0", executing_unit_id="deep-u1", representatives=[reps[1]])]))
    tasks = [made["tasks"][0]["id"]]
    for level in range(1, CHAIN):
        with db.uow() as uow:
            child = creating.create_subtask(uow, policy, Principal(reps[level], f"deep-u{level}"), tasks[-1],
                                            creating.SubtaskSpec(name=f"Cấp {level}",
                                                                 executing_unit_id=f"deep-u{level + 1}",
                                                                 representatives=[reps[level + 1]]))
        tasks.append(child["id"])
    return tasks[0], tasks[-1], reps


def direction_figures(chains: int, units: int, accounts: int, samples: int, creations: int) -> dict:
    from services.process.domain import definitions, instances
    from services.process.domain.direction import creating, setup, views
    from services.process.domain.sla import WorkingCalendar

    leaders = max(1, units // 100)      # the units that assign at the top (a Sở, a district…)
    with fresh_database("egov_bench_direction") as url:
        migrate("process", url)
        db = Database(url, "process")
        with db.uow() as uow:
            definitions.deploy(uow, (ROOT / "bpmn" / "task_direction.bpmn").read_bytes(), "task_direction.bpmn",
                               "bench")
        group = setup.ensure_defaults(db)
        started = time.perf_counter()
        with db.session() as session:
            for statement in [part for sql in (DIRECTORY_SQL, TASKS_SQL) for part in sql.split(";") if part.strip()]:
                session.execute(text(statement), {"units": units, "accounts": accounts, "chains": chains,
                                                  "depth": CHAIN, "leaders": leaders, "group": group})
            session.commit()
            session.execute(text("ANALYZE"))
            session.commit()
        loaded = time.perf_counter() - started
        policy = instances.Policy()
        top, deepest, reps = _deep_chain(db, policy)
        calendar = WorkingCalendar()
        rng = random.Random(13)

        def person() -> Principal:
            return Principal(f"a{rng.randint(1, accounts)}", None)

        with db.session() as session:
            def mine():
                views.task_list(session, person(), calendar, view="assigned", page_size=20)

            def bucket():
                views.task_list(session, person(), calendar, view="assigned", page_size=20,
                                bucket=rng.choice(["overdue", "due_soon"]))

            def report():
                unit = f"u{rng.randint(1, leaders)}"
                views.report(session, Principal.system("bench", unit), unit, role="all")

            def took_part():
                views.task_list(session, person(), calendar, view="took_part", page_size=20)

            for warm in (mine, bucket, report, took_part):
                timed(warm, 20)
            result = {"tasks": chains * CHAIN, "units": units, "accounts": accounts, "load_seconds": round(loaded, 1),
                      "mine": timed(mine, samples), "bucket": timed(bucket, samples),
                      "report": timed(report, samples), "took_part": timed(took_part, samples)}

        def create_under(parent: str, level: int):
            def create():
                with db.uow() as uow:
                    creating.create_subtask(uow, policy, Principal(reps[level], f"deep-u{level}"), parent,
                                            creating.SubtaskSpec(name="Nhiệm vụ con đo thời gian",
                                                                 executing_unit_id=f"deep-u{level + 1}",
                                                                 representatives=[reps[level + 1]]))
            return create

        timed(create_under(top, 1), 3)
        timed(create_under(deepest, CHAIN), 3)
        result["create_depth_1"] = timed(create_under(top, 1), creations)
        result["create_depth_10"] = timed(create_under(deepest, CHAIN), creations)
        db.dispose()
    return result


def ratio(found: dict) -> float:
    return percentile(found["create_depth_10"], 50) / percentile(found["create_depth_1"], 50)
