"""Task direction (chỉ đạo điều hành — nhiệm vụ, seed 001): the process service's domain for assignments of tasks
down the unit tree. Each task's lifecycle is an instance of the deployed BPMN whose process says
``worked_by=direction`` (shipped in bpmn/), run by the general runtime; the sub-task tree, participants,
handovers, history, status groups, unit set-up and reports are this domain's tables (services/process/models.py).
Modules: ``setup`` (roles, settings, status groups, tags), ``tasks`` (access, roles on a task, progress roll-up,
files, views), ``creating``, ``working`` (the actions) and ``views`` (lists, buckets, the task page, reports and
their Excel)."""
