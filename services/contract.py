"""The versioning rule of the event contract, as code: a payload schema may change without a new
``schema_version`` only in ways that break nobody. For an event the suite publishes (consumers read it): a field
may be added, never removed, never lose its place among the required ones, and its values may only narrow. For an
inbound message (senders write it): a field may be dropped from the required ones or widened, never newly required
or narrowed. Each published version's schema is frozen in docs/events/versions/; a test compares the models with
them, and docs/events-changelog.md says what each new version changed."""
from __future__ import annotations


def _resolve(schema: dict, root: dict) -> dict:
    while isinstance(schema, dict) and "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = root.get("$defs", {}).get(name, {})
    return schema


def _types(schema: dict, root: dict) -> set[str]:
    schema = _resolve(schema, root)
    if "anyOf" in schema or "oneOf" in schema:
        found: set[str] = set()
        for member in schema.get("anyOf") or schema.get("oneOf"):
            found |= _types(member, root)
        return found
    if "const" in schema:
        return {f"const:{schema['const']!r}"}
    if "enum" in schema:
        return {f"const:{value!r}" for value in schema["enum"]}
    kind = schema.get("type")
    if isinstance(kind, list):
        return set(kind)
    if kind:
        return {kind}
    return {"object"} if "properties" in schema else {"any"}


def _covers(wide: set[str], narrow: set[str]) -> bool:
    """Every value ``narrow`` admits is admitted by ``wide`` (an integer is a number, a constant is a string…)."""
    if "any" in wide:
        return True
    for kind in narrow:
        if kind in wide or (kind == "integer" and "number" in wide):
            continue
        if kind.startswith("const:") and ({"string", "integer", "number", "boolean"} & wide):
            continue
        return False
    return True


def breaking(old: dict, new: dict, *, inbound: bool = False) -> list[str]:
    """What the change from ``old`` to ``new`` breaks, each as a sentence naming where (empty: compatible)."""
    problems: list[str] = []

    def walk(before: dict, after: dict, where: str) -> None:
        before, after = _resolve(before, old), _resolve(after, new)
        was, now = _types(before, old), _types(after, new)
        if not (_covers(now, was) if inbound else _covers(was, now)):
            problems.append(f"{where or 'the payload'}: {sorted(was)} became {sorted(now)}")
            return
        for member_list in ("anyOf", "oneOf"):      # a nullable object: compare the object inside
            objects_before = [m for m in before.get(member_list, []) if "null" not in _types(m, old)]
            objects_after = [m for m in after.get(member_list, []) if "null" not in _types(m, new)]
            if len(objects_before) == 1 and len(objects_after) == 1:
                walk(objects_before[0], objects_after[0], where)
        props_before, props_after = before.get("properties", {}), after.get("properties", {})
        required_before, required_after = set(before.get("required", [])), set(after.get("required", []))
        for name, inner in props_before.items():
            here = f"{where}.{name}" if where else name
            if name not in props_after:
                problems.append(f"{here} was removed")
                continue
            if not inbound and name in required_before and name not in required_after:
                problems.append(f"{here} is no longer always there")
            walk(inner, props_after[name], here)
        if inbound:
            for name in sorted(required_after - required_before):
                problems.append(f"{where + '.' if where else ''}{name} is now required of senders")
        if "items" in before and "items" in after:
            walk(before["items"], after["items"], f"{where}[]")

    walk(old, new, "")
    return problems
