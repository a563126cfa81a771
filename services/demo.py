"""deploy/load-demo: the demo data of `make run` on the production path, while its processes run.

    python -m services.demo        # with deploy/.env's settings in the environment (deploy/load-demo sets them)

1. orgunits imports the Bình Thuận tree (679 units) into its empty database; its relay publishes the units;
2. once identity's consumer knows them, identity creates the demo people (their one-time passwords are printed
   once; the first sign-in chooses a new one);
3. once process's consumer knows the people, Sở Khoa học và Công nghệ's field-report process is staffed and one
   report from the IOC waits in Đinh Trường Toàn's inbox.

Each step is skipped when its data is already there, so running it again changes nothing."""
from __future__ import annotations

import sys
import time
from collections.abc import Callable

from sqlalchemy import func
from sqlmodel import select

WAIT_SECONDS = 180


def _wait(what: str, ready: Callable[[], bool]) -> None:
    started = time.monotonic()
    print(f"  waiting for {what} …", flush=True)
    while not ready():
        if time.monotonic() - started > WAIT_SECONDS:
            raise SystemExit(f"load-demo: {what} did not happen within {WAIT_SECONDS} s; are the processes running "
                             "(.venv/bin/honcho -f deploy/Procfile -e deploy/.env start)?")
        time.sleep(0.5)


def _count(runtime, model, *where) -> int:
    with runtime.db.session() as session:
        return session.exec(select(func.count()).select_from(model).where(*where)).one()


def main() -> int:
    from services.identity import app as identity_app
    from services.identity import models as identity_models
    from services.identity.demo import PEOPLE, load_demo_accounts
    from services.orgunits import app as orgunits_app
    from services.orgunits.models import Unit
    from services.process import app as process_app
    from services.process import models as process_models
    from services.process.demo import UNIT_NAME, load_demo_staffing

    orgunits = orgunits_app.create_app().extensions["egov"]
    created = orgunits_app.load_demo_data(orgunits)
    units = _count(orgunits, Unit)
    print(f"org units: {created} imported" if created else f"org units: {units} already there", flush=True)

    identity = identity_app.create_app().extensions["egov"]
    _wait(f"identity to know the {units} units", lambda: _count(identity, identity_models.UnitRef) >= units)
    people = load_demo_accounts(identity)
    if people:
        print("demo people (one-time passwords, shown once; the first sign-in chooses a new one):")
        for username, name, password in people:
            print(f"  {username:<16} {password}   {name}")
    else:
        print("demo people: already there")

    process = process_app.create_app().extensions["egov"]
    names = [name for _u, name, *_rest in PEOPLE]
    _wait("process to know the unit and the people", lambda: _count(
        process, process_models.UnitRef, process_models.UnitRef.name == UNIT_NAME) and _count(
        process, process_models.PersonRef, process_models.PersonRef.full_name.in_(names)) == len(names))
    if load_demo_staffing(process):
        _wait("the IOC's report to reach dinhtruongtoan's inbox",
              lambda: _count(process, process_models.ProcessInstance,
                             process_models.ProcessInstance.business_key == "IOC-DEMO-1") > 0)
        print(f"field reports: {UNIT_NAME} staffed; report IOC-DEMO-1 waits in dinhtruongtoan's inbox")
    else:
        print("field reports: already staffed")
    for runtime in (orgunits, identity, process):
        runtime.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
