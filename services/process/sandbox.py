"""Designers' scripts and expressions run sandboxed: compiled by RestrictedPython (no names or attributes
starting with "_", so no ``__class__``/``__subclasses__``/``__globals__`` walks), with a short list of harmless
builtins (no ``open``, no ``__import__``, no ``getattr``/``type``/``eval``), and guarded attribute, item
and iteration access. Nothing reaches the file system, the network or the process."""
from __future__ import annotations

import builtins
from typing import Any

from RestrictedPython import compile_restricted_eval, compile_restricted_exec
from RestrictedPython.Eval import default_guarded_getitem, default_guarded_getiter
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safer_getattr,
)

ALLOWED_BUILTINS = ("abs", "all", "any", "bool", "dict", "divmod", "enumerate", "float", "int", "isinstance", "len",
                    "list", "max", "min", "range", "repr", "round", "set", "sorted", "str", "sum", "tuple", "zip",
                    "True", "False", "None", "Exception", "ValueError", "KeyError", "TypeError")


# What the guards raise when a script reaches for something outside the sandbox.
ESCAPES = (NameError, ImportError, AttributeError, NotImplementedError)


class SandboxError(ValueError):
    """A script or expression the sandbox refuses, or one that tried to leave it."""


def _inplace(op: str, x: Any, y: Any) -> Any:
    operations = {"+=": lambda a, b: a + b, "-=": lambda a, b: a - b, "*=": lambda a, b: a * b,
                  "/=": lambda a, b: a / b, "//=": lambda a, b: a // b, "%=": lambda a, b: a % b}
    if op not in operations:
        raise SandboxError(f"the operator {op} is not allowed in scripts")
    return operations[op](x, y)


def _globals() -> dict[str, Any]:
    return {
        "__builtins__": {name: getattr(builtins, name) for name in ALLOWED_BUILTINS},
        "_getattr_": safer_getattr, "_getitem_": default_guarded_getitem, "_getiter_": default_guarded_getiter,
        "_iter_unpack_sequence_": guarded_iter_unpack_sequence, "_unpack_sequence_": guarded_unpack_sequence,
        "_write_": full_write_guard, "_inplacevar_": _inplace,
    }


def problems(source: str, mode: str = "exec") -> list[str]:
    """Why the sandbox would refuse this source (empty when it compiles)."""
    compiled = compile_restricted_exec(source) if mode == "exec" else compile_restricted_eval(source)
    return list(compiled.errors)


def _compiled(source: str, mode: str):
    compiled = compile_restricted_exec(source) if mode == "exec" else compile_restricted_eval(source)
    if compiled.errors:
        raise SandboxError("the script is not allowed: " + "; ".join(compiled.errors))
    return compiled.code


def evaluate(expression: str, variables: dict[str, Any]) -> Any:
    scope = {**_globals(), **variables}
    try:
        return eval(_compiled(expression, "eval"), scope)  # noqa: S307 - compiled by RestrictedPython, guarded
    except SandboxError:
        raise
    except ESCAPES as exc:
        raise SandboxError(f"the expression used something not available to scripts: {exc}") from exc


def execute(script: str, variables: dict[str, Any]) -> dict[str, Any]:
    """Run ``script`` with ``variables``; returns the variables it left (names starting with "_" dropped)."""
    scope = {**_globals(), **variables}
    try:
        exec(_compiled(script, "exec"), scope)  # noqa: S102 - compiled by RestrictedPython, guarded
    except SandboxError:
        raise
    except ESCAPES as exc:
        raise SandboxError(f"the script used something not available to scripts: {exc}") from exc
    reserved = set(_globals())
    return {k: v for k, v in scope.items() if k not in reserved and not k.startswith("_")}
