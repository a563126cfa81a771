"""Đăng ký tài khoản: an officer registers (public) and waits for their unit's admin; the unit is found by
typing part of its name, with or without diacritics."""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint, render_template, request
from flask_babel import gettext as _

from services.portal.api import ApiError
from services.portal.views import explain, portal

bp = Blueprint("signup", __name__)
FIELDS = ("full_name", "citizen_id", "date_of_birth", "phone", "email", "unit_id", "department", "position")
# what each field needs, said to the person (the service's own words are for integrators)
FIELD_SENTENCES = {
    "full_name": "Họ và tên: hãy nhập đầy đủ họ tên (ít nhất 2 ký tự).",
    "citizen_id": "Số CCCD: gồm đúng 12 chữ số.",
    "date_of_birth": "Ngày sinh: chưa hợp lý với một cán bộ.",
    "phone": "Điện thoại: không đúng dạng số điện thoại Việt Nam.",
    "email": "Thư điện tử: không đúng dạng (ví dụ ten@binhthuan.gov.vn).",
    "unit_id": "Đơn vị công tác: hãy tìm và chọn đơn vị.",
    "department": "Phòng ban: quá dài.",
    "position": "Chức vụ: quá dài.",
}


@bp.route("/dang-ky", methods=["GET", "POST"])
def register():
    if request.method == "GET":
        return render_template("register.html", values={}, errors={})
    values = {name: (request.form.get(name) or "").strip() for name in FIELDS}
    body = {name: value for name, value in values.items() if value}
    errors = {}
    if values["date_of_birth"]:
        try:
            body["date_of_birth"] = datetime.strptime(values["date_of_birth"], "%d/%m/%Y").date().isoformat()
        except ValueError:   # sent as no date at all: the service refuses it with everything else, stores nothing
            body["date_of_birth"] = "không phải ngày"
            errors["date_of_birth"] = _("Ngày sinh: hãy nhập theo dạng ngày/tháng/năm, ví dụ 05/09/1990.")
    answer = portal().anonymous("POST", "/api/identity/register", json=body)
    if answer.ok:
        return render_template("registered.html", name=values["full_name"])
    failure = ApiError(answer)
    for error in failure.problem.get("errors") or []:
        errors.setdefault(error.get("field"), _(FIELD_SENTENCES.get(error.get("field"), "Dữ liệu chưa hợp lệ.")))
    errors = errors or {"": explain(failure)}
    unit_name = request.form.get("unit_q") or ""
    return render_template("register.html", values={**values, "unit_name": unit_name}, errors=errors), 400


@bp.get("/dang-ky/don-vi")
def units():
    q = (request.args.get("unit_q") or "").strip()[:100]
    found = portal().anonymous("GET", "/api/orgunits/units", params={"q": q, "limit": 15}).body if len(q) >= 2 \
        else {"items": []}
    return render_template("partials/unit_choices.html", units=(found or {}).get("items", []), q=q)
