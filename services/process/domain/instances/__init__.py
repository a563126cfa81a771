"""Running processes, in small modules: ``context`` (what one change of an instance shares, the one conditional
write), ``starting``, ``acting`` (the generic verbs on tasks), ``mirror`` (the engine's ready tasks as
``process_task`` rows with their people), ``ending`` (results and the events end events declare), ``files``,
``timers`` and ``views``. Nothing here knows a process by name: outcomes, people and events come from the model.
"""
from services.process.domain.instances.acting import (
    cancel,
    claim,
    comment,
    complete,
    decide_extension,
    delegate,
    request_extension,
    return_to_previous,
    task_page,
)
from services.process.domain.instances.context import Context, Policy, definition_of, save
from services.process.domain.instances.files import attach, attachment, detected_type
from services.process.domain.instances.starting import start
from services.process.domain.instances.views import (
    StepNames,
    attachment_view,
    by_business_key,
    detail,
    instance_view,
    task_view,
    unit_instances,
)

__all__ = ["Context", "Policy", "StepNames", "by_business_key", "attach", "attachment", "attachment_view", "cancel",
           "claim", "comment", "complete", "decide_extension", "definition_of", "delegate", "detail",
           "detected_type", "instance_view", "request_extension", "return_to_previous", "save", "start", "task_page",
           "task_view", "unit_instances"]
