"""What notify knows about each event type it can announce: who the recipients are (roles resolved from
the event's data), which channels are on by default, the default Vietnamese templates, and an example
event to preview templates with and to check them when they are saved."""
from __future__ import annotations

from dataclasses import dataclass, field

IN_APP, EMAIL, SMS = "in_app", "email", "sms"
CHANNELS = (IN_APP, EMAIL, SMS)


@dataclass(frozen=True)
class _path:  # noqa: N801 - reads like a function where the catalogue uses it
    """Reads the recipients' account ids at a place in the event's data (one value or a list)."""

    keys: tuple[str, ...]

    def __init__(self, *keys: str):
        object.__setattr__(self, "keys", keys)

    def __call__(self, data: dict) -> list[str]:
        value = data
        for key in self.keys:
            value = value.get(key) if isinstance(value, dict) else None
        if value is None:
            return []
        return [str(v) for v in (value if isinstance(value, list) else [value]) if v]

    def __str__(self) -> str:
        return "data." + ".".join(self.keys)


@dataclass(frozen=True)
class _step_people:  # noqa: N801 - reads like a function where the catalogue uses it
    """The people of the task's step (``task.candidates``) while nobody in particular holds it — only when the
    event says the step wants them told (``push``, the step's push-notification flag) if ``pushed``."""

    pushed: bool = False

    def __call__(self, data: dict) -> list[str]:
        task = data.get("task") if isinstance(data.get("task"), dict) else {}
        if task.get("assignees") or (self.pushed and data.get("push") is False):
            return []
        return _path("task", "candidates")(data)

    def __str__(self) -> str:
        return "data.task.candidates (while data.task.assignees is empty" + (", and data.push is not false)"
                                                                             if self.pushed else ")")


@dataclass(frozen=True)
class _each:  # noqa: N801 - reads like a function where the catalogue uses it
    """Reads the recipients in every item of a list in the event's data (e.g. each task's handlers)."""

    items: str
    keys: tuple[str, ...]

    def __init__(self, items: str, *keys: str):
        object.__setattr__(self, "items", items)
        object.__setattr__(self, "keys", keys)

    def __call__(self, data: dict) -> list[str]:
        rows = data.get(self.items) if isinstance(data.get(self.items), list) else []
        found = [a for row in rows if isinstance(row, dict) for a in _path(*self.keys)(row)]
        return list(dict.fromkeys(found))

    def __str__(self) -> str:
        return f"data.{self.items}[*]." + ".".join(self.keys)


@dataclass(frozen=True)
class Kind:
    event_type: str
    label: str                                     # what an admin sees (Vietnamese)
    roles: dict[str, _path]
    defaults: dict[tuple[str, str], bool]          # (role, channel) → on
    templates: dict[str, tuple[str, str]]          # channel → (subject, body)
    example: dict = field(default_factory=dict)
    secret: bool = False                           # carries a secret: outside channels only, never logged
    secret_field: str = "token"  # noqa: S105 - where in data the secret is (templates see a placeholder)


def _task_kind(change: str, label: str, title: str, text: str) -> Kind:
    roles = {"assignee": _path("task", "assignees"), "assigner": _path("actor"),
             "follower": _path("task", "followers"), "creator": _path("task", "created_by")}
    if change in ("created", "extension_requested"):
        roles["step"] = _step_people(pushed=change == "created")
    subject = f"[Nhiệm vụ] {title}: {{{{ data.task.name }}}}"
    return Kind(
        f"process.task.{change}", label, roles,
        defaults={("assignee", IN_APP): True, ("assignee", EMAIL): True, ("assignee", SMS): False,
                  ("step", IN_APP): True, ("step", EMAIL): change == "extension_requested",
                  ("assigner", IN_APP): change in ("returned", "overdue", "completed"),
                  ("follower", IN_APP): False, ("creator", IN_APP): change == "completed"},
        templates={
            IN_APP: (f"{title}: {{{{ data.task.name }}}}", text),
            EMAIL: (subject, "Kính gửi {{ recipient.full_name }},\n\n" + text
                    + "\n\nHệ thống điều hành tác nghiệp (thư tự động, vui lòng không trả lời)."),
            SMS: ("", f"{title}: {{{{ data.task.name }}}}. Hạn: {{{{ data.task.due_at | local or 'không có' }}}}"),
        },
        example={"task": {"id": "t-1", "name": "Báo cáo tình hình triển khai chuyển đổi số quý IV",
                          "instance_id": "i-1", "unit_id": "u-1", "assignees": ["a-2"], "followers": [],
                          "created_by": "a-1", "due_at": "2026-12-15T17:00:00+07:00"},
                 "actor": "a-1", "actor_name": "Đinh Trường Toàn", "reason": "Bổ sung số liệu"})


_DIRECTION_EXAMPLE = {
    "task": {"id": "t-1", "name": "Rà soát hiện trạng sử dụng đất ven biển", "assignment_id": "as-1", "depth": 0,
             "handlers": ["a-2"], "followers": ["a-1"], "assigner_id": "a-1", "created_by": "a-1",
             "coordinators": ["a-3"], "deadline": "2027-03-31T16:59:59Z", "status_name": "Đang xử lý",
             "progress": 40, "executing_unit_id": "u-2"},
    "actor": "a-1", "actor_name": "Nguyễn Văn Chủ Tịch", "reason": "Bổ sung số liệu", "to": ["a-2"], "percent": 40,
    "text": "Đề nghị khẩn trương", "subtask": {"name": "Số liệu chi nhánh Phan Thiết", "handlers": ["a-4"]}}


def _direction_kind(change: str, label: str, title: str, text: str, on: dict[str, tuple[str, ...]],
                    roles: dict | None = None) -> Kind:
    """A direction (nhiệm vụ) event: the task's handlers, followers, assigner, creator, coordinating contacts and
    whoever it went to; ``on`` says which of them are told by default, and where."""
    found = {"handler": _path("task", "handlers"), "follower": _path("task", "followers"),
             "assigner": _path("task", "assigner_id"), "creator": _path("task", "created_by"),
             "coordinator": _path("task", "coordinators"), "receiver": _path("to"), **(roles or {})}
    return Kind(
        f"direction.{change}", label, found,
        defaults={(role, channel): role in on.get(channel, ()) for role in found for channel in CHANNELS},
        templates={
            IN_APP: (f"{title}: {{{{ data.task.name }}}}", text),
            EMAIL: (f"[Nhiệm vụ] {title}: {{{{ data.task.name }}}}", "Kính gửi {{ recipient.full_name }},\n\n" + text
                    + "\n\nHệ thống chỉ đạo điều hành (thư tự động, vui lòng không trả lời)."),
            SMS: ("", f"{title}: {{{{ data.task.name }}}}. Hạn: {{{{ data.task.deadline | local or 'không có' }}}}"),
        },
        example=_DIRECTION_EXAMPLE)


def _account_kind(change: str, label: str, title: str, text: str, channels=(IN_APP, EMAIL)) -> Kind:
    return Kind(
        f"identity.account.{change}", label, {"account": _path("account", "id")},
        defaults={("account", ch): ch in channels for ch in CHANNELS},
        templates={IN_APP: (title, text), EMAIL: (f"[Tài khoản] {title}", "Kính gửi {{ recipient.full_name }},\n\n"
                                                  + text), SMS: ("", f"{title}. " + text)},
        example={"account": {"id": "a-2", "full_name": "Trương Minh Hòa", "unit_id": "u-1", "status": "approved",
                             "email": "hoa@example.vn", "phone": "0912345678"}, "reason": "Không đúng đơn vị"})


KINDS: dict[str, Kind] = {k.event_type: k for k in [
    _task_kind("created", "Việc mới tại bước", "Có việc mới cần xử lý",
               "Có việc mới «{{ data.task.name }}» tại bước {{ data.task.step_name }}. "
               "Hạn xử lý: {{ data.task.due_at | local or 'không có' }}."),
    _task_kind("assigned", "Được giao nhiệm vụ", "Bạn được giao nhiệm vụ",
               "{{ data.actor_name or 'Lãnh đạo' }} đã giao cho bạn nhiệm vụ «{{ data.task.name }}». "
               "Hạn xử lý: {{ data.task.due_at | local or 'không có' }}."),
    _task_kind("delegated", "Nhiệm vụ được chuyển", "Nhiệm vụ được chuyển cho bạn",
               "{{ data.actor_name or 'Một cán bộ' }} đã chuyển cho bạn nhiệm vụ «{{ data.task.name }}». "
               "Hạn xử lý: {{ data.task.due_at | local or 'không có' }}."),
    _task_kind("returned", "Nhiệm vụ bị trả lại", "Nhiệm vụ bị trả lại",
               "Nhiệm vụ «{{ data.task.name }}» bị trả lại. Lý do: {{ data.reason or 'không ghi' }}."),
    _task_kind("overdue", "Nhiệm vụ quá hạn", "Nhiệm vụ đã quá hạn",
               "Nhiệm vụ «{{ data.task.name }}» đã quá hạn xử lý ({{ data.task.due_at | local }})."),
    _task_kind("extension_requested", "Xin gia hạn", "Đề nghị gia hạn",
               "{{ data.actor_name or 'Người xử lý' }} xin gia hạn {{ data.days | number }} ngày, chờ bạn quyết "
               "định tại «{{ data.task.name }}». Lý do: {{ data.reason or 'không ghi' }}."),
    _task_kind("completed", "Nhiệm vụ hoàn thành", "Nhiệm vụ đã hoàn thành",
               "Nhiệm vụ «{{ data.task.name }}» đã được xử lý xong."),
    _account_kind("approved", "Tài khoản được duyệt", "Tài khoản của bạn đã được duyệt",
                  "Tài khoản {{ data.account.full_name }} đã được duyệt. Quản trị đơn vị sẽ trao mật khẩu dùng "
                  "một lần cho bạn; lần đăng nhập đầu tiên bạn đặt mật khẩu mới."),
    _account_kind("rejected", "Đăng ký bị từ chối", "Đăng ký tài khoản bị từ chối",
                  "Đăng ký tài khoản của bạn bị từ chối. Lý do: {{ data.reason or 'không ghi' }}."),
    _account_kind("locked", "Tài khoản bị khóa", "Tài khoản của bạn đã bị khóa",
                  "Tài khoản {{ data.account.full_name }} đã bị khóa. Liên hệ quản trị đơn vị nếu có nhầm lẫn.",
                  channels=(EMAIL,)),
    _account_kind("transferred", "Chuyển đơn vị", "Bạn đã được chuyển đơn vị",
                  "Tài khoản {{ data.account.full_name }} đã được đơn vị mới tiếp nhận."),
    Kind("process.staffing.changed", "Bước quy trình không còn người xử lý", {"admin": _path("tell")},
         defaults={("admin", IN_APP): True, ("admin", EMAIL): True},
         templates={IN_APP: ("Cần bố trí lại cán bộ: {{ data.process_key }}",
                             "Các bước {{ data.steps_without_staff | join(', ') }} không còn cán bộ xử lý (tài "
                             "khoản bị khóa, lưu trữ hoặc xóa). Quy trình tạm dừng nhận việc mới cho đến khi đơn vị "
                             "bố trí lại và xác nhận."),
                    EMAIL: ("[Quy trình] Cần bố trí lại cán bộ: {{ data.process_key }}",
                            "Kính gửi {{ recipient.full_name }},\n\nCác bước {{ data.steps_without_staff | "
                            "join(', ') }} của quy trình {{ data.process_key }} không còn cán bộ xử lý. Vui lòng "
                            "bố trí lại và xác nhận để đơn vị tiếp tục nhận việc.")},
         example={"process_key": "field_report", "unit_id": "u-1", "status": "not_configured",
                  "action": "staff_left", "steps_without_staff": ["Xử lý"], "tell": ["a-1"]}),
    Kind("direction.assignment.created", "Nhiệm vụ mới được giao",
         {"representative": _each("tasks", "handlers"), "coordinator": _each("tasks", "coordinators"),
          "follower": _path("followers")},
         defaults={("representative", IN_APP): True, ("representative", EMAIL): True, ("coordinator", IN_APP): True},
         templates={IN_APP: ("Đơn vị được giao nhiệm vụ: {{ data.assignment.summary or data.tasks[0].name }}",
                             "{{ data.actor_name or 'Lãnh đạo' }} giao {{ data.tasks | length }} nhiệm vụ theo văn "
                             "bản {{ data.assignment.number or '' }}: {{ data.assignment.summary }}."),
                    EMAIL: ("[Nhiệm vụ] Nhiệm vụ mới: {{ data.assignment.summary or data.tasks[0].name }}",
                            "Kính gửi {{ recipient.full_name }},\n\n{{ data.actor_name or 'Lãnh đạo' }} giao "
                            "{{ data.tasks | length }} nhiệm vụ theo văn bản {{ data.assignment.number or '' }}: "
                            "{{ data.assignment.summary }}."),
                    SMS: ("", "Nhiem vu moi: {{ data.assignment.number or '' }}")},
         example={"assignment": {"number": "125/UBND-KT", "summary": "Rà soát hiện trạng sử dụng đất ven biển"},
                  "tasks": [{"name": "Rà soát", "handlers": ["a-2"], "deadline": "2027-03-31T16:59:59Z"}],
                  "followers": ["a-1"], "actor": "a-1", "actor_name": "Nguyễn Văn Chủ Tịch"}),
    _direction_kind("task.forwarded", "Nhiệm vụ được chuyển xử lý", "Bạn được chuyển xử lý nhiệm vụ",
                    "{{ data.actor_name or 'Một cán bộ' }} chuyển cho bạn nhiệm vụ «{{ data.task.name }}». "
                    "Ghi chú: {{ data.note or 'không có' }}.", {IN_APP: ("receiver",), EMAIL: ("receiver",)}),
    _direction_kind("task.refused", "Nhiệm vụ bị từ chối", "Nhiệm vụ bị từ chối",
                    "{{ data.actor_name or 'Người xử lý' }} từ chối nhiệm vụ «{{ data.task.name }}». Lý do: "
                    "{{ data.reason or 'không ghi' }}.", {IN_APP: ("receiver",), EMAIL: ("receiver",)}),
    _direction_kind("task.reassigned", "Nhiệm vụ được giao lại", "Nhiệm vụ được giao lại cho bạn",
                    "{{ data.actor_name or 'Người giao' }} giao lại nhiệm vụ «{{ data.task.name }}».",
                    {IN_APP: ("receiver",), EMAIL: ("receiver",)}),
    _direction_kind("task.progress_reported", "Cập nhật tiến độ", "Tiến độ nhiệm vụ",
                    "«{{ data.task.name }}» đạt {{ data.percent }}%. {{ data.note or '' }}", {}),
    _direction_kind("task.completed", "Nhiệm vụ chờ duyệt", "Nhiệm vụ chờ bạn duyệt",
                    "{{ data.actor_name or 'Người xử lý' }} đã hoàn thành «{{ data.task.name }}», chờ duyệt kết quả.",
                    {IN_APP: ("follower",), EMAIL: ("follower",)}),
    _direction_kind("task.approved", "Kết quả được duyệt", "Kết quả nhiệm vụ được duyệt",
                    "Kết quả nhiệm vụ «{{ data.task.name }}» đã được duyệt.", {IN_APP: ("handler",)}),
    _direction_kind("task.rejected", "Kết quả không được duyệt", "Kết quả nhiệm vụ bị trả lại",
                    "Kết quả «{{ data.task.name }}» không được duyệt. Lý do: {{ data.reason or 'không ghi' }}.",
                    {IN_APP: ("handler",), EMAIL: ("handler",)}),
    _direction_kind("task.cancelled", "Nhiệm vụ bị hủy", "Nhiệm vụ đã bị hủy",
                    "Nhiệm vụ «{{ data.task.name }}» đã bị hủy. Lý do: {{ data.reason or 'không ghi' }}.",
                    {IN_APP: ("handler",)}),
    _direction_kind("task.subtask_created", "Nhiệm vụ con mới", "Đơn vị được giao nhiệm vụ con",
                    "{{ data.actor_name or 'Người xử lý' }} giao nhiệm vụ con «{{ data.subtask.name }}» thuộc "
                    "«{{ data.task.name }}».", {IN_APP: ("subtask",), EMAIL: ("subtask",)},
                    roles={"subtask": _path("subtask", "handlers")}),
    _direction_kind("task.commented", "Ý kiến về nhiệm vụ", "Ý kiến mới",
                    "{{ data.actor_name or 'Một cán bộ' }}: {{ data.text }}", {IN_APP: ("handler", "coordinator")}),
    _direction_kind("task.overdue", "Nhiệm vụ quá hạn", "Nhiệm vụ đã quá hạn",
                    "Nhiệm vụ «{{ data.task.name }}» đã quá hạn ({{ data.task.deadline | local }}).",
                    {IN_APP: ("handler", "assigner"), EMAIL: ("handler",)}),
    _direction_kind("task.deleted", "Nhiệm vụ bị xóa", "Nhiệm vụ đã bị xóa",
                    "Nhiệm vụ «{{ data.task.name }}» đã bị người tạo xóa.", {IN_APP: ("handler",)}),
    Kind("identity.password_reset.requested", "Đặt lại mật khẩu", {"account": _path("account_id")},
         defaults={("account", EMAIL): True, ("account", SMS): True},
         templates={EMAIL: ("[Tài khoản] Đặt lại mật khẩu",
                            "Kính gửi {{ data.full_name }},\n\nMã đặt lại mật khẩu của bạn: {{ data.token }}\n"
                            "Mã dùng được một lần, hết hạn lúc {{ data.expires_at | local }}. Nếu bạn không yêu "
                            "cầu, hãy bỏ qua thư này."),
                    SMS: ("", "Ma dat lai mat khau: {{ data.token }} "
                               "(dung 1 lan, het han {{ data.expires_at | local }})")},
         example={"account_id": "a-2", "full_name": "Trương Minh Hòa", "email": "hoa@example.vn",
                  "phone": "0912345678", "token": "ví-dụ-mã", "expires_at": "2026-11-22T10:30:00Z"},
         secret=True),
]}


def kind(event_type: str) -> Kind | None:
    return KINDS.get(event_type)
