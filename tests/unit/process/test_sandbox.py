"""Designers' scripts cannot reach the file system, the network or the process: every classic escape fails
with a clear error — refused at deployment when it can be seen in the source, refused when it runs otherwise."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from services.common.errors import Invalid
from services.process import engine, sandbox
from services.process.domain.definitions import check
from tests.unit.process import bpmn_samples as samples

ESCAPES = {
    "import": "import os\nresult = os.listdir('/')",
    "dunder import": "m = __import__('subprocess')",
    "open": "result = open('/etc/passwd').read()",
    "subclasses": "result = ().__class__.__base__.__subclasses__()",
    "globals": "f = lambda: 1\nresult = f.__globals__",
    "getattr": "result = getattr((), '__cl' + 'ass__')",
    "format": "result = '{0.__class__}'.format(())",
    "eval": "result = eval('1 + 1')",
    "type": "result = type('X', (), {})",
}


def script_process(script: str) -> str:
    task = f"""<bpmn:scriptTask id="Compute" name="Tính toán" scriptFormat="python">
      <bpmn:incoming>Flow_s</bpmn:incoming><bpmn:outgoing>Flow_t</bpmn:outgoing>
      <bpmn:script><![CDATA[{script}]]></bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="Flow_s" sourceRef="Start_1" targetRef="Compute"/>
    <bpmn:sequenceFlow id="Flow_t" sourceRef="Compute" targetRef="Handle"/>"""
    xml = samples.process(extra=task)
    xml = xml.replace('<bpmn:sequenceFlow id="Flow_1" sourceRef="Start_1" targetRef="Handle"/>', "")
    xml = xml.replace("<bpmn:outgoing>Flow_1</bpmn:outgoing></bpmn:startEvent>",
                      "<bpmn:outgoing>Flow_s</bpmn:outgoing></bpmn:startEvent>")
    xml = xml.replace("<bpmn:incoming>Flow_1</bpmn:incoming>", "<bpmn:incoming>Flow_t</bpmn:incoming>")
    return xml.replace("<bpmn:flowNodeRef>Start_1</bpmn:flowNodeRef>",
                       "<bpmn:flowNodeRef>Start_1</bpmn:flowNodeRef><bpmn:flowNodeRef>Compute</bpmn:flowNodeRef>")


@pytest.mark.parametrize("name", list(ESCAPES))
def test_every_escape_fails_with_a_clear_error(name):
    with pytest.raises(sandbox.SandboxError) as refused:
        sandbox.execute(ESCAPES[name], {})
    assert "not allowed" in str(refused.value) or "not available" in str(refused.value)


@pytest.mark.parametrize("name", ["subclasses", "globals", "dunder import", "eval"])
def test_escapes_visible_in_the_source_are_refused_at_deployment(name):
    with pytest.raises(Invalid) as refused:
        check(script_process(ESCAPES[name]).encode())
    problem = refused.value.extra["problems"][0]
    assert problem["element_id"] == "Compute" and "script of “Tính toán”" in problem["message"]


@pytest.mark.parametrize("name", ["import", "open", "getattr", "type", "format"])
def test_escapes_only_visible_when_running_are_stopped_by_the_engine(name):
    xml = script_process(ESCAPES[name]).encode()
    check(xml)
    with pytest.raises(engine.ScriptRefused) as refused:
        engine.run_until_people(xml, "field_report_test", {})
    assert "not available to scripts" in str(refused.value)


def test_an_honest_script_runs_and_the_process_waits_for_people():
    xml = script_process("total = sum(scores)\nlabel = 'Đạt' if total >= 10 else 'Chưa đạt'").encode()
    data, ready = engine.run_until_people(xml, "field_report_test", {"scores": [4, 7]})
    assert (data["total"], data["label"], ready) == (11, "Đạt", ["Handle"])


def test_conditions_are_sandboxed_too():
    assert sandbox.evaluate('action == "approve"', {"action": "approve"}) is True
    with pytest.raises(sandbox.SandboxError):
        sandbox.evaluate("().__class__", {})


def test_what_a_script_leaves_must_be_data_of_bounded_size():
    """A set becomes a sorted list, functions it defined are dropped; other objects and huge data are refused."""
    left = sandbox.execute("tags = {'b', 'a'}\ndef helper(x):\n    return x\ncount = helper(3)", {})
    assert left == {"tags": ["a", "b"], "count": 3}
    with pytest.raises(sandbox.SandboxError, match="only text, numbers"):
        sandbox.execute("r = range(3)", {})
    with pytest.raises(sandbox.SandboxLimitError, match="at most"):
        sandbox.execute("big = ['x' * 900_000, 'y' * 900_000]", {})
    with pytest.raises(sandbox.SandboxLimitError, match="longer than"):
        sandbox.execute("huge = 'x' * 50_000_000", {})


def test_a_script_or_condition_that_runs_too_long_is_stopped_and_the_thread_goes_on():
    with pytest.raises(sandbox.SandboxLimitError, match="time limit"):
        sandbox.execute("n = 0\nwhile True:\n    n += 1", {})
    with pytest.raises(sandbox.SandboxLimitError, match="range"):
        sandbox.evaluate("sum(range(10**12)) > 0", {})
    assert sandbox.execute("total = sum(range(10))", {}) == {"total": 45}


EATER = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (4 * 1024 ** 3, 4 * 1024 ** 3))
from services.process import sandbox
try:
    sandbox.execute("rows = [[0] * 99_999 for i in range(99_999)]", {})
except sandbox.SandboxLimitError as exc:
    print("stopped:", exc)
except MemoryError:
    print("not stopped: the process ran out of its 4 GB")
"""


def test_a_script_that_eats_memory_is_stopped_before_the_machine_runs_out():
    """In a process of its own, capped at 4 GB: if the sandbox's limit ever failed, this test fails instead of the
    script taking the machine's memory (it once did, under pytest-xdist, and the kernel killed the worker)."""
    ran = subprocess.run([sys.executable, "-c", EATER], capture_output=True, text=True, timeout=120,
                         cwd=Path(__file__).resolve().parents[3])
    assert "stopped: the script exceeded its memory limit" in ran.stdout, (ran.stdout, ran.stderr[-2000:])
