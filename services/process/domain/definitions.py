"""Deploying BPMN: check everything before storing anything, report every problem at once (element id,
line, a sentence a designer understands), and keep each changed version of a process key."""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree
from sqlmodel import Session, col, func, select

from services.common import authority
from services.common.auth import Principal
from services.common.db import UnitOfWork
from services.common.errors import Conflict, Forbidden, Invalid, NotFound
from services.common.i18n import msg
from services.common.models import iso
from services.process import conventions, engine, expressions, sandbox
from services.process.conventions import BPMN, CAMUNDA, NS
from services.process.domain import runnable
from services.process.models import ProcessDefinition, UnitRef

MAX_BYTES = 5 * 1024 * 1024


@dataclass
class Checked:
    tree: etree._ElementTree
    processes: list[dict]


def _problem(element_id: str | None, line: int | None, message: str) -> dict:
    return {"element_id": element_id, "line": line, "message": message}


def _parse(xml: bytes) -> etree._ElementTree:
    if len(xml) > MAX_BYTES:
        raise Invalid(msg("the file is larger than {value} MB", value=MAX_BYTES // 1024 // 1024))
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_blank_text=False,
                             load_dtd=False, dtd_validation=False)
    try:
        tree = etree.ElementTree(etree.fromstring(xml, parser))
    except etree.XMLSyntaxError as exc:
        raise Invalid(msg("the file is not well-formed XML; nothing was deployed"),
                      problems=[_problem(None, exc.lineno, msg("XML error: {msg}", msg=exc.msg))]) from exc
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        # BPMN needs no DTD; entities in one are how XML bombs and file reads are smuggled in.
        raise Invalid(msg("the file declares a DOCTYPE; BPMN files have none — save it again from the modeler"),
                      code="doctype_refused", problems=[_problem(None, 1,
                                                                 msg("DOCTYPE declarations are not accepted"))])
    return tree


def _structure_problems(root) -> list[dict]:
    problems = []
    ids = {el.get("id") for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
    for element in (el for p in root.iterfind("bpmn:process", NS) if _executable(p) for el in p.iter()):
        if isinstance(element.tag, str) and element.get("id") in engine.RESERVED_IDS:
            problems.append(_problem(element.get("id"), element.sourceline,
                                     msg("the id “{get}” is reserved by the engine; rename the element (e.g. {get}_1)",
                                         get=element.get('id'))))
    for flow in root.iterfind(".//bpmn:sequenceFlow", NS):
        for end in ("sourceRef", "targetRef"):
            ref = flow.get(end)
            if not ref or ref not in ids:
                problems.append(_problem(flow.get("id"), flow.sourceline,
                                         msg("sequence flow {get} points to a {kind} “{ref}” that does not exist",
                                             get=flow.get('id'), kind=end[:6], ref=ref)))
    sources = {flow.get("sourceRef") for flow in root.iterfind(".//bpmn:sequenceFlow", NS)}
    for event in root.iterfind(".//bpmn:boundaryEvent", NS):
        if event.find("bpmn:compensateEventDefinition", NS) is not None:
            continue  # BPMN joins a compensation handler by an association, never by a sequence flow
        if event.get("id") not in sources:
            problems.append(_problem(event.get("id"), event.sourceline,
                                     msg("boundary event “{value}” leads nowhere; give it an outgoing sequence flow",
                                         value=event.get('name') or event.get('id'))))
    for process in (p for p in root.iterfind("bpmn:process", NS) if _executable(p)):
        found = conventions.of_process(process)
        problems += found.problems
        lanes = {lane.id: lane for lane in found.lanes}
        for task in (t for local in runnable.HUMAN for t in process.iterfind(f".//bpmn:{local}", NS)):
            lane = lanes.get(found.lane_of.get(task.get("id"), ""))
            if lane is None:
                kind = "user task" if etree.QName(task).localname == "userTask" else "task"
                problems.append(_problem(task.get("id"), task.sourceline,
                                         msg("{kind} “{value}” is in no lane; a person does it, so put it in a lane "
                                             "(a step a unit admin staffs)", kind=kind,
                                             value=task.get('name') or task.get('id'))))
            else:
                element = process.find(f".//bpmn:lane[@id='{lane.id}']", NS)
                if not (element.get("name") or "").strip():
                    problems.append(_problem(lane.id, element.sourceline,
                                             msg("lane {id} has no name; name it after the step", id=lane.id)))
        problems += runnable.problems(process, root)
        for start in process.iterfind(".//bpmn:subProcess[@triggeredByEvent='true']/bpmn:startEvent", NS):
            if start.find("bpmn:errorEventDefinition", NS) is not None:
                sub = start.getparent()
                problems.append(_problem(sub.get("id"), sub.sourceline,
                                         msg("event sub-process “{value}” starts on an error, which the engine cannot"
                                             " wait for (it would start at once); catch the error with an error "
                                             "boundary event on the task or sub-process that throws it",
                                             value=sub.get('name') or sub.get('id'))))
        for script_task in process.iterfind(".//bpmn:scriptTask", NS):
            script = script_task.find("bpmn:script", NS)
            for why in sandbox.problems(script.text or "" if script is not None else ""):
                problems.append(_problem(script_task.get("id"), script_task.sourceline,
                                         msg("script of “{value}”: {why}",
                                             value=script_task.get('name') or script_task.get('id'), why=why)))
        for rule_task in process.iterfind(".//bpmn:businessRuleTask", NS):
            if not (rule_task.get(f"{{{CAMUNDA}}}decisionRef") or "").strip():
                problems.append(_problem(rule_task.get("id"), rule_task.sourceline,
                                         msg("business rule task “{value}” names no decision table; set its Decision "
                                             "reference (camunda:decisionRef), or make it a script task",
                                             value=rule_task.get('name') or rule_task.get('id'))))
        for condition in process.iterfind(".//bpmn:conditionExpression", NS):
            if expressions.dialect(condition.text or ""):
                continue  # left untranslated: already reported with what to write instead
            for why in sandbox.problems(condition.text or "True", mode="eval"):
                flow = condition.getparent()
                problems.append(_problem(flow.get("id"), condition.sourceline, msg("condition: {why}", why=why)))
        for kind in engine.TIMER_KINDS:
            for timer in process.iterfind(f".//bpmn:timerEventDefinition/bpmn:{kind}", NS):
                why = engine.timer_problem(kind, timer.text) if (timer.text or "").strip() else None
                if why:
                    event = timer.getparent().getparent()
                    problems.append(_problem(event.get("id"), timer.sourceline, msg("timer: {why}", why=why)))
    return problems


def _executable(process) -> bool:
    """Modelers write isExecutable="false" on pools that only document a partner; those are not deployed."""
    return (process.get("isExecutable") or "true").strip().lower() == "true"


def _pool_names(root) -> dict[str, str]:
    """The name of each process's pool in a collaboration (what a designer typed on the pool)."""
    return {p.get("processRef"): (p.get("name") or "").strip()
            for p in root.iterfind("bpmn:collaboration/bpmn:participant", NS) if p.get("processRef")}


def _processes(root) -> list[dict]:
    found, pools = [], _pool_names(root)
    for process in root.iterfind("bpmn:process", NS):
        if not _executable(process):
            continue
        try:
            props = conventions.read("process", process)
        except ValueError:
            props = conventions.ProcessProps()  # reported by the structural checks
        name = (process.get("name") or "").strip() or pools.get(process.get("id")) or process.get("id")
        found.append({"key": process.get("id"), "name": name,
                      "abbreviation": props.abbreviation, "group": props.group,
                      "steps": len(conventions.leaf_lanes(process)), "executable": True})
    return found


def _no_executable_process(root) -> list[dict]:
    pools = root.findall("bpmn:process", NS)
    if not pools:
        return [_problem(None, root.sourceline, msg("the file defines no process"))]
    return [_problem(p.get("id"), p.sourceline,
                     msg("process “{value}” is not executable; tick “Executable” on the pool in the modeler "
                         "(isExecutable=\"true\") to deploy it", value=(p.get('name') or '').strip() or p.get('id')))
            for p in pools]


Resolve = Callable[[str, "int | None"], "ProcessDefinition | None"]


def reachable(calls: list[tuple[str, int | None]], resolve: Resolve, own: set[str]) -> tuple[dict, list[str]]:
    """The deployed versions the call activities reach, followed into what those call in turn: ({key:
    definition}, the calls that reach nothing deployed)."""
    found: dict[str, ProcessDefinition] = {}
    missing: list[str] = []
    queue = list(calls)
    while queue:
        key, pinned = queue.pop(0)
        if key in own or key in found:
            continue
        definition = resolve(key, pinned)
        if definition is None:
            missing.append(f"{key} v{pinned}" if pinned else key)
            continue
        found[key] = definition
        if definition.kind == "process":
            found_conventions = conventions.of_xml(definition.xml, definition.key)
            queue += list(found_conventions.reaches.values())
    return found, missing


def _check_decision(tree, filename: str | None) -> Checked:
    """A DMN decision table that business rule tasks name by its id (camunda:decisionRef)."""
    problems, decisions = engine.decision_problems(etree.tostring(tree.getroot()), filename)
    if problems:
        raise Invalid(msg("the DMN was refused with {count} problem(s); nothing was deployed", count=len(problems)),
                      problems=problems)
    (decision_id, name), = decisions
    return Checked(tree, [{"key": decision_id, "name": name, "abbreviation": None, "group": None, "steps": 0,
                           "executable": True, "kind": "decision"}])


def _engine_problems(root, filename, processes, reached, found: list[dict]) -> list[dict]:
    """The engine parser's own refusals, in the same round as the suite's checks: those about an element the
    suite has not already reported (a file the parser cannot read at all says so only when nothing else did),
    each with the element's line."""
    reported = {p["element_id"] for p in found if p["element_id"]}
    lines = {el.get("id"): el.sourceline for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
    extra = []
    for problem in engine.parser_problems(etree.tostring(root), filename, [p["key"] for p in processes],
                                          tuple((d.content_hash, d.xml.encode()) for d in reached.values())):
        element = problem["element_id"]
        if element in reported or (element is None and found):
            continue
        extra.append({**problem, "line": problem["line"] or lines.get(element)})
    return extra


def check(xml: bytes, filename: str | None = None, resolve: Resolve | None = None) -> Checked:
    """Every problem at once, or the processes the file defines. ``resolve`` finds deployed versions that call
    activities name (none: only the file's own processes may be called)."""
    tree = _parse(xml)
    root = tree.getroot()
    if engine.is_dmn(root) and etree.QName(root).localname == "definitions":
        return _check_decision(tree, filename)
    if etree.QName(root).namespace != BPMN or etree.QName(root).localname != "definitions":
        raise Invalid(msg("this is not a BPMN 2.0 file, nor a DMN decision table (its root must be bpmn:definitions, "
                          "or a DMN definitions)"),
                      problems=[_problem(None, root.sourceline, msg("root element is {tag}", tag=root.tag))])
    problems = [_problem(None, line, msg("BPMN schema: {message}", message=message)) for line,
                message in engine.schema_errors(tree)]
    problems += [_problem(*found) for found in expressions.rewrite(root)]  # JUEL/FEEL → the suite's Python
    problems += _structure_problems(root)
    processes = _processes(root)
    if not processes:
        problems += _no_executable_process(root)
    own = {p.get("id") for p in root.iterfind("bpmn:process", NS)}
    calls = [call for p in root.iterfind("bpmn:process", NS) if _executable(p)
             for call in conventions.of_process(p).reaches.items()]
    reached, missing = reachable([c for _id, c in calls], resolve or (lambda _k, _v: None), own)
    for call_id, (key, pinned) in calls:
        if any(p["element_id"] == call_id for p in problems):
            continue  # already refused for what it calls (a global task, an expression)
        if key not in own and (key not in reached or f"{key} v{pinned}" in missing):
            element = root.find(f".//*[@id='{call_id}']")
            which = f"version {pinned} of “{key}”" if pinned else f"“{key}”"
            label = element.get("name") or call_id
            if etree.QName(element).localname == "businessRuleTask":
                problems.append(_problem(call_id, element.sourceline, msg("business rule task “{label}” uses the "
                                                                          "decision table {which}, which is not "
                                                                          "deployed; deploy its .dmn file first",
                                                                          label=label, which=which)))
            else:
                problems.append(_problem(call_id, element.sourceline, msg("call activity “{label}” calls {which}, "
                                                                          "which is not deployed; deploy that process"
                                                                          " first", label=label, which=which)))
    if processes and not any(p["message"].startswith("BPMN schema:") for p in problems):
        problems += _engine_problems(root, filename, processes, reached, problems)
    if problems:
        raise Invalid(msg("the BPMN was refused with {count} problem(s); nothing was deployed", count=len(problems)),
                      problems=problems[:200])
    engine.quote_plain_timers(root)
    return Checked(tree, processes)


def resolver(session: Session) -> Resolve:
    """Deployed versions by (key, pinned version or None for the latest)."""
    def resolve(key: str, pinned: int | None) -> ProcessDefinition | None:
        query = select(ProcessDefinition).where(ProcessDefinition.key == key)
        query = query.where(ProcessDefinition.version == pinned) if pinned else \
            query.order_by(col(ProcessDefinition.version).desc())
        return session.exec(query.limit(1)).first()
    return resolve


def called_by(session: Session, definition: ProcessDefinition) -> dict[str, ProcessDefinition]:
    """The versions an instance of ``definition`` starting now calls (latest or pinned, followed down)."""
    found = conventions.of_xml(definition.xml, definition.key)
    calls = list(found.reaches.values())
    if not calls:
        return {}
    found, missing = reachable(calls, resolver(session), {definition.key})
    if missing:
        raise Conflict(msg("{key} calls {items}, which is no longer deployed", key=definition.key,
                           items=', '.join(missing)),
                       code="called_process_missing")
    return found


def engine_files(definitions) -> tuple[tuple[str, bytes], ...]:
    return tuple((d.content_hash, d.xml.encode()) for d in sorted(definitions, key=lambda d: d.key))


DESIGN = "process.design"


def owner_of(session: Session, key: str) -> tuple[bool, str | None]:
    """(is the key deployed, the unit subtree that owns it — None: the province)."""
    first = session.exec(select(ProcessDefinition).where(ProcessDefinition.key == key)
                         .order_by(ProcessDefinition.version).limit(1)).first()
    return (first is not None, first.owner_unit_id if first is not None else None)


def may_design(session: Session, principal: Principal, unit_id: str | None) -> bool:
    if unit_id is None:
        return principal.holds_everywhere(DESIGN)
    unit = session.get(UnitRef, unit_id)
    return unit is not None and principal.may(DESIGN, authority.lineage(unit.path))


def _require_owner(session: Session, principal: Principal | None, key: str, unit_id: str | None) -> str | None:
    """The owner of ``key`` after this deployment; refused when the caller may not publish it."""
    if principal is None:  # the bpmn/ folder at start-up: province-wide
        return owner_of(session, key)[1]
    exists, owner = owner_of(session, key)
    owner = owner if exists else unit_id
    if not may_design(session, principal, owner):
        where = (msg("process “{key}” belongs to the whole province; only its designers (process.design there) "
                     "publish versions of it", key=key) if owner is None else
                 msg("process “{key}” belongs to the unit that owns it ({owner}); only its designers (process.design "
                     "there) publish versions of it", key=key, owner=owner))
        raise Forbidden(where, code="process_owned_elsewhere", permission=DESIGN)
    return owner


def deploy(uow: UnitOfWork, xml: bytes, filename: str | None, actor: str | None, *,
           principal: Principal | None = None, unit_id: str | None = None) -> list[ProcessDefinition]:
    """Store a new version of each process whose content differs from its current version (an older file
    uploaded again becomes the current version again); the current content again changes nothing.
    Over HTTP the caller designs for ``unit_id`` (None: the province); a key keeps the owner of its first
    version, and only designers of that subtree publish new versions."""
    if unit_id is not None and uow.session.get(UnitRef, unit_id) is None:
        raise Invalid(msg("unknown unit {unit_id!r}", unit_id=unit_id), code="unknown_unit")
    checked = check(xml, filename, resolver(uow.session))
    digest = hashlib.sha256(xml).hexdigest()
    text = etree.tostring(checked.tree, encoding="unicode")
    session, result = uow.session, []
    for info in checked.processes:
        owner = _require_owner(session, principal, info["key"], unit_id)
        current = session.exec(select(ProcessDefinition).where(ProcessDefinition.key == info["key"])
                               .order_by(col(ProcessDefinition.version).desc()).limit(1)).first()
        if current is not None and current.content_hash == digest:
            result.append(current)  # the same content as the current version: nothing new
            continue
        latest = current.version if current is not None else 0
        row = ProcessDefinition(key=info["key"], version=latest + 1, name=info["name"],
                                abbreviation=info["abbreviation"], group=info["group"], steps=info["steps"],
                                filename=filename, content_hash=digest, xml=text, deployed_by=actor,
                                owner_unit_id=owner, kind=info.get("kind", "process"))
        session.add(row)
        session.flush()
        uow.emit("process.definition.deployed", row.key, {"definition": view(row)})
        result.append(row)
    uow.commit()
    return result


def view(row: ProcessDefinition) -> dict:
    return {"key": row.key, "version": row.version, "name": row.name, "abbreviation": row.abbreviation,
            "group": row.group, "steps": row.steps, "filename": row.filename, "content_hash": row.content_hash,
            "deployed_at": iso(row.deployed_at), "deployed_by": row.deployed_by, "owner_unit_id": row.owner_unit_id,
            "kind": row.kind}


def catalogue(session: Session, kind: str = "process") -> list[ProcessDefinition]:
    """The latest version of every process key (or of every decision table)."""
    latest = select(ProcessDefinition.key, func.max(ProcessDefinition.version).label("v")).group_by(
        ProcessDefinition.key).subquery()
    return list(session.exec(select(ProcessDefinition).join(
        latest, (col(ProcessDefinition.key) == latest.c.key) & (col(ProcessDefinition.version) == latest.c.v))
        .where(ProcessDefinition.kind == kind).order_by(ProcessDefinition.key)).all())


def versions(session: Session, key: str, kind: str | None = "process") -> list[ProcessDefinition]:
    """Every version of a process (of a decision table, or of either with ``kind=None``)."""
    query = select(ProcessDefinition).where(ProcessDefinition.key == key)
    if kind:
        query = query.where(ProcessDefinition.kind == kind)
    rows = list(session.exec(query.order_by(ProcessDefinition.version)).all())
    if not rows:
        raise NotFound(msg("no {kind} {key!r} is deployed", kind=kind or "process or decision", key=key))
    return rows


def version(session: Session, key: str, number: int) -> ProcessDefinition:
    row = session.exec(select(ProcessDefinition).where(ProcessDefinition.key == key,
                                                       ProcessDefinition.version == number)).first()
    if row is None:
        raise NotFound(msg("process {key!r} has no version {number}", key=key, number=number))
    return row


@dataclass(frozen=True)
class Shape:
    """What the service needs to know about a version beyond what the engine runs (read by the conventions
    module): the lane of each element, each lane's step number and name, each end event's result, the
    process's default total time."""

    lanes: dict[str, str]
    steps: dict[str, int]
    lane_names: dict[str, str]
    results: dict[str, str]
    total_days: float | None
    conventions: conventions.Conventions


_SHAPES: dict[str, Shape] = {}


def shape(definition: ProcessDefinition) -> Shape:
    cache_key = f"{definition.content_hash}/{definition.key}"
    cached = _SHAPES.get(cache_key)
    if cached is not None:
        return cached
    found = conventions.of_xml(definition.xml, definition.key)
    cached = _SHAPES[cache_key] = Shape(found.lane_of, {lane.id: lane.step for lane in found.lanes},
                 {lane.id: lane.name for lane in found.lanes},
                 {end_id: props.result for end_id, props in found.ends.items()}, found.process.total_days, found)
    return cached
