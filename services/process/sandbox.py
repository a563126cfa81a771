"""Designers' scripts and expressions run sandboxed: compiled by RestrictedPython (no names or attributes
starting with "_", so no ``__class__``/``__subclasses__``/``__globals__`` walks), with a short list of harmless
builtins (no ``open``, no ``__import__``, no ``getattr``/``type``/``eval``), and guarded attribute, item
and iteration access. Nothing reaches the file system, the network or the process.

Limits: a CPU-time limit (2 s by default), ``range`` and the ``*``/``**``/``<<`` operators bounded so no single
step can build a huge value, and what a script leaves behind must be data (text, numbers, booleans, lists,
dicts — a set becomes a sorted list, functions it defined are dropped) of at most ``MAX_DATA_BYTES``."""
from __future__ import annotations

import ast
import builtins
import json
import re
from typing import Any

from RestrictedPython import RestrictingNodeTransformer, compile_restricted_eval, compile_restricted_exec
from RestrictedPython.Eval import default_guarded_getitem, default_guarded_getiter
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safer_getattr,
)

from services.common.deadline import DEFAULT_SECONDS, LimitExceeded, bounded_binop, bounded_range, cpu_deadline
from services.common.i18n import msg

ALLOWED_BUILTINS = ("abs", "all", "any", "bool", "dict", "divmod", "enumerate", "float", "int", "isinstance", "len",
                    "list", "max", "min", "range", "repr", "round", "set", "sorted", "str", "sum", "tuple", "zip",
                    "True", "False", "None", "Exception", "ValueError", "KeyError", "TypeError")


# What the guards raise when a script reaches for something outside the sandbox.
ESCAPES = (NameError, ImportError, AttributeError, NotImplementedError)
MAX_DATA_BYTES = 1_000_000
LIMITS = {"seconds": DEFAULT_SECONDS}
_BOUNDED = {ast.Mult: "*", ast.Pow: "**", ast.LShift: "<<"}


class SandboxError(ValueError):
    """A script or expression the sandbox refuses, or one that tried to leave it."""


class SandboxLimitError(SandboxError):
    """A script or expression that ran too long or grew too large."""


class _BoundedOperators(RestrictingNodeTransformer):
    """RestrictedPython's checks, plus ``a * b``, ``a ** b`` and ``a << b`` routed through a size check."""

    def visit_BinOp(self, node: ast.BinOp):
        node = self.node_contents_visit(node)
        op = _BOUNDED.get(type(node.op))
        if op is None:
            return node
        call = ast.Call(func=ast.Name("_binop_", ast.Load()), args=[ast.Constant(op), node.left, node.right],
                        keywords=[])
        return ast.fix_missing_locations(ast.copy_location(call, node))


def configure(*, seconds: float) -> None:
    LIMITS["seconds"] = seconds


def _inplace(op: str, x: Any, y: Any) -> Any:
    operations = {"+=": lambda a, b: a + b, "-=": lambda a, b: a - b, "*=": lambda a, b: bounded_binop("*", a, b),
                  "/=": lambda a, b: a / b, "//=": lambda a, b: a // b, "%=": lambda a, b: a % b}
    if op not in operations:
        raise SandboxError(f"the operator {op} is not allowed in scripts")
    return operations[op](x, y)


def _globals() -> dict[str, Any]:
    return {
        "__builtins__": {**{name: getattr(builtins, name) for name in ALLOWED_BUILTINS}, "range": bounded_range},
        "_binop_": bounded_binop,
        "_getattr_": safer_getattr, "_getitem_": default_guarded_getitem, "_getiter_": default_guarded_getiter,
        "_iter_unpack_sequence_": guarded_iter_unpack_sequence, "_unpack_sequence_": guarded_unpack_sequence,
        "_write_": full_write_guard, "_inplacevar_": _inplace,
    }


def problems(source: str, mode: str = "exec") -> list[str]:
    """Why the sandbox would refuse this source (empty when it compiles), in sentences that can be translated
    where RestrictedPython's own words have a known form."""
    compiled = _compile(source, mode)
    return [_sentence(error) for error in compiled.errors]


_SYNTAX = re.compile(r"^Line (?P<line>\d+): SyntaxError: .* at statement: '(?P<statement>.*)'$", re.S)
_UNDERSCORE = re.compile(r'^Line (?P<line>\d+): "(?P<name>[^"]+)" is an invalid variable name because it starts '
                         r'with "_"$')


def _sentence(error: str) -> str:
    if found := _SYNTAX.match(error):
        return msg("line {line}: “{statement}” is not valid Python", **found.groupdict())
    if found := _UNDERSCORE.match(error):
        return msg("line {line}: the name “{name}” may not begin with “_”", **found.groupdict())
    return error


def _compile(source: str, mode: str):
    if mode == "exec":
        return compile_restricted_exec(source, policy=_BoundedOperators)
    return compile_restricted_eval(source, policy=_BoundedOperators)


def _compiled(source: str, mode: str):
    compiled = _compile(source, mode)
    if compiled.errors:
        raise SandboxError("the script is not allowed: " + "; ".join(compiled.errors))
    return compiled.code


def _run(source: str, mode: str, scope: dict[str, Any]) -> Any:
    code = _compiled(source, mode)
    what = "expression" if mode == "eval" else "script"
    try:
        with cpu_deadline(LIMITS["seconds"]):
            if mode == "eval":
                return eval(code, scope)  # noqa: S307 - compiled by RestrictedPython, guarded
            exec(code, scope)  # noqa: S102 - compiled by RestrictedPython, guarded
            return None
    except SandboxError:
        raise
    except LimitExceeded as exc:
        raise SandboxLimitError(f"the {what} {exc}; simplify it or move the work to a service task") from exc
    except (OverflowError, MemoryError, RecursionError) as exc:
        raise SandboxLimitError(f"the {what} grew beyond what is allowed: {exc}") from exc
    except ESCAPES as exc:
        raise SandboxError(f"the {what} used something not available to scripts: {exc}") from exc


def evaluate(expression: str, variables: dict[str, Any]) -> Any:
    return _run(expression, "eval", {**_globals(), **variables})


def execute(script: str, variables: dict[str, Any]) -> dict[str, Any]:
    """Run ``script`` with ``variables``; returns the data it left (names starting with "_" and the functions it
    defined dropped, sets as sorted lists), refused when it is not data or larger than ``MAX_DATA_BYTES``."""
    scope = {**_globals(), **variables}
    _run(script, "exec", scope)
    reserved = set(_globals())
    left = {k: _as_data(k, v) for k, v in scope.items()
            if k not in reserved and not k.startswith("_") and not callable(v)}
    size = len(json.dumps(left, ensure_ascii=False, default=str))
    if size > MAX_DATA_BYTES:
        raise SandboxLimitError(f"the script left {size:,} bytes of data; at most {MAX_DATA_BYTES:,} are kept — "
                                "store large content as an attachment")
    return left


def _as_data(name: str, value: Any, depth: int = 0) -> Any:
    if depth > 20:
        raise SandboxLimitError(f"“{name}” is nested too deeply to keep")
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_as_data(name, v, depth + 1) for v in value]
    if isinstance(value, set | frozenset):
        try:
            return sorted(_as_data(name, v, depth + 1) for v in value)
        except TypeError:
            return [_as_data(name, v, depth + 1) for v in value]
    if isinstance(value, dict):
        return {str(k): _as_data(name, v, depth + 1) for k, v in value.items()}
    raise SandboxError(f"the script left “{name}” as a {type(value).__name__}; only text, numbers, true/false, "
                       "lists and dicts can be kept in the process data")
