"""Every portal route says who may call it: the public ones (sign-in, registration, assets) answer anyone; every
other page sends an anonymous visitor to sign in and leaves deciding to the service it calls (an officer meets
the service's 403 as a sentence — see test_pages). A new route must be added here."""
from __future__ import annotations

import re

PUBLIC = {
    ("GET", "/dang-nhap"), ("POST", "/dang-nhap"), ("GET", "/doi-mat-khau"), ("POST", "/doi-mat-khau"),
    ("POST", "/doi-mat-khau/do-manh"), ("POST", "/dang-xuat"), ("GET", "/dang-ky"), ("POST", "/dang-ky"),
    ("GET", "/dang-ky/don-vi"), ("GET", "/ngon-ngu/<code>"), ("GET", "/vendor/<name>"),
    ("GET", "/static/<path:filename>"),
    ("GET", "/dang-nhap/dinh-danh"), ("GET", "/dang-nhap/dinh-danh/ve"),
    ("GET", "/quen-mat-khau"), ("POST", "/quen-mat-khau"), ("GET", "/dat-lai-mat-khau"), ("POST", "/dat-lai-mat-khau"),
}
SIGNED_IN = {
    ("GET", "/"), ("GET", "/cong-viec"), ("GET", "/cong-viec/<task_id>"), ("POST", "/cong-viec/<task_id>/xu-ly"),
    ("GET", "/cong-viec/<task_id>/so-do.bpmn"), ("GET", "/ho-so/<instance_id>/tep/<attachment_id>"),
    ("GET", "/thong-bao"), ("GET", "/thong-bao/luong"), ("POST", "/thong-bao/<int:notification_id>/da-doc"),
    ("POST", "/thong-bao/da-doc-het"),
    ("GET", "/quan-tri/tai-khoan"), ("GET", "/quan-tri/tai-khoan/thong-ke"),
    ("GET", "/quan-tri/tai-khoan/them-tu-dinh-danh"), ("POST", "/quan-tri/tai-khoan/them-tu-dinh-danh"),
    ("GET", "/quan-tri/tai-khoan/<account_id>"), ("GET", "/quan-tri/tai-khoan/chuyen-cong-tac"),
    ("POST", "/quan-tri/tai-khoan/chuyen-cong-tac/<int:request_id>/<decision>"),
    ("POST", "/quan-tri/tai-khoan/<account_id>"), ("POST", "/quan-tri/tai-khoan/<account_id>/<command>"),
    ("GET", "/thiet-ke"), ("GET", "/thiet-ke/<key>"), ("GET", "/thiet-ke/<key>/phien-ban/<int:version>.bpmn"),
    ("POST", "/thiet-ke/trien-khai"), ("POST", "/thiet-ke/<key>/chuyen-phien-ban"),
    ("GET", "/don-vi"), ("GET", "/don-vi/<unit_id>/con"), ("GET", "/don-vi/<unit_id>"), ("POST", "/don-vi/<unit_id>"),
    ("POST", "/don-vi/<unit_id>/sap-nhap"), ("POST", "/don-vi/<unit_id>/giai-the"),
    ("POST", "/don-vi/<unit_id>/tai-khoan-ngan-hang"), ("POST", "/don-vi/<unit_id>/to-chuc-dang"),
    ("POST", "/don-vi/<unit_id>/hinh-anh"), ("GET", "/don-vi/<unit_id>/hinh-anh/<image_id>"),
    ("POST", "/don-vi/<unit_id>/hinh-anh/<image_id>/xoa"), ("GET", "/ca-nhan/chi-bo/tim"), ("POST", "/ca-nhan/chi-bo"),
    ("POST", "/don-vi/<unit_id>/dang-nhap"),
    ("POST", "/don-vi/<unit_id>/tai-khoan-ngan-hang/<int:account_id>/<command>"),
    ("GET", "/quan-tri/thong-bao"), ("POST", "/quan-tri/thong-bao/quy-tac"),
    ("GET", "/quan-tri/thong-bao/mau/<event_type>/<channel>"),
    ("POST", "/quan-tri/thong-bao/mau/<event_type>/<channel>"),
    ("GET", "/quan-tri/phan-quyen"), ("GET", "/quan-tri/phan-quyen/tim-tai-khoan"),
    ("POST", "/quan-tri/phan-quyen/cap-quyen"), ("POST", "/quan-tri/phan-quyen/cap-quyen/<int:grant_id>/thu-hoi"),
    ("POST", "/quan-tri/phan-quyen/nhom"), ("GET", "/quan-tri/phan-quyen/nhom/<int:group_id>"),
    ("POST", "/quan-tri/phan-quyen/nhom/<int:group_id>/<command>"),
    ("GET", "/cong-viec/su-co"), ("GET", "/cong-viec/tra-cuu"),
    ("GET", "/ca-nhan/ke-khai"), ("POST", "/ca-nhan/ke-khai"), ("POST", "/cong-viec/su-co/<incident_id>/<command>"),
    ("GET", "/quan-tri/thong-bao/gui-di"), ("POST", "/quan-tri/thong-bao/gui-di/<int:delivery_id>/gui-lai"),
    ("GET", "/quan-tri/dang-ky"), ("GET", "/quan-tri/dang-ky/<account_id>"),
    ("POST", "/quan-tri/dang-ky/<account_id>/duyet"), ("POST", "/quan-tri/dang-ky/<account_id>/tu-choi"),
    ("GET", "/quan-tri/quy-trinh"), ("GET", "/quan-tri/quy-trinh/<key>"),
    ("POST", "/quan-tri/quy-trinh/<key>/<command>"),
    ("POST", "/quan-tri/quy-trinh/<key>/buoc/<lane_id>"), ("GET", "/quan-tri/quy-trinh/<key>/nhat-ky"),
    ("GET", "/nhiem-vu"), ("GET", "/nhiem-vu/ho-so/<instance_id>"), ("GET", "/nhiem-vu/giao"),
    ("POST", "/nhiem-vu/giao"), ("GET", "/nhiem-vu/<task_id>"), ("POST", "/nhiem-vu/<task_id>/thao-tac/<action>"),
    ("POST", "/nhiem-vu/<task_id>/tien-do"), ("POST", "/nhiem-vu/<task_id>/nhiem-vu-con"),
    ("POST", "/nhiem-vu/<task_id>/y-kien"), ("POST", "/nhiem-vu/<task_id>/tep"), ("POST", "/nhiem-vu/<task_id>/xoa"),
    ("GET", "/nhiem-vu/tep/<file_id>"), ("GET", "/nhiem-vu/bao-cao"), ("GET", "/nhiem-vu/bao-cao/xuat"),
    ("GET", "/nhiem-vu/cai-dat"), ("POST", "/nhiem-vu/cai-dat/<unit_id>/vai-tro/<side>/<role>"),
    ("POST", "/nhiem-vu/cai-dat/<unit_id>/thiet-lap"), ("POST", "/nhiem-vu/cai-dat/nhom-trang-thai"),
    ("POST", "/nhiem-vu/cai-dat/nhom-trang-thai/<int:group_id>/<code>"),
    ("GET", "/nhiem-vu/cai-dat/nhom-trang-thai/<int:group_id>/xuat"), ("POST", "/nhiem-vu/cai-dat/nhan"),
    ("POST", "/nhiem-vu/cai-dat/nhan/<int:tag_id>/xoa"),
}


def routes(app) -> set[tuple[str, str]]:
    return {(method, rule.rule) for rule in app.url_map.iter_rules()
            for method in rule.methods - {"HEAD", "OPTIONS"}}


def test_every_portal_route_is_declared(suite):
    assert routes(suite.gateway.front) == PUBLIC | SIGNED_IN


def test_an_anonymous_visitor_is_sent_to_sign_in_from_every_other_page(suite):
    app = suite.gateway.front
    app.config["WTF_CSRF_ENABLED"] = False   # reach each view: the sign-in check, not CSRF, answers here
    client = app.test_client()
    for method, rule in sorted(SIGNED_IN):
        path = re.sub(r"<int:[^>]+>", "1", re.sub(r"<(?!int:)[^>]+>", "x", rule))
        answer = client.open(path, method=method)
        assert answer.status_code == 302 and answer.headers["Location"].startswith("/dang-nhap"), (rule, answer)
        htmx = client.open(path, method=method, headers={"HX-Request": "true"})
        assert htmx.status_code == 204 and htmx.headers["HX-Redirect"].startswith("/dang-nhap"), rule
