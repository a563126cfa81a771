"""The portal's pages over the embedded suite: sign-in and the one-time password's change, the registrations an
admin approves (the one-time password shown once), an officer's inbox and task page, what an officer is not
offered, CSRF, English selectable — every refusal a Vietnamese sentence, never a 500."""
from __future__ import annotations

import io
import re
import threading

from tests.unit.portal.conftest import text
from tests.unit.process.story import report_event, staff_field_report, start_report


def test_pages_need_a_sign_in_and_come_back_after_it(browser):
    person = browser()
    answer = person.get("/cong-viec?scope=unit")
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/dang-nhap?next=")
    page = person.get(answer.headers["Location"])
    assert page.status_code == 200 and 'lang="vi"' in text(page) and "Đăng nhập" in text(page)
    assert page.headers["Content-Security-Policy"].startswith("default-src 'self'")
    wrong = person.post("/dang-nhap", {"username": "dinhtruongtoan", "password": "không phải mật khẩu"})
    assert wrong.status_code == 400 and "Tên đăng nhập hoặc mật khẩu không đúng" in text(wrong)
    assert "dinhtruongtoan" in text(wrong), "the name typed stays in the form"


def test_a_one_time_password_leads_to_choosing_a_new_one_with_a_strength_hint(browser, suite):
    person = browser()
    person.get("/dang-nhap")
    first = person.post("/dang-nhap", {"username": "phungtienhung", "password": suite.people["phungtienhung"],
                                       "next": "/cong-viec?scope=unit"})
    assert first.status_code == 302 and first.headers["Location"].startswith("/doi-mat-khau")
    assert "Đặt mật khẩu mới" in text(person.get(first.headers["Location"]))
    hint = person.post("/doi-mat-khau/do-manh", {"new_password": "123456"}, htmx=True)
    assert "<meter" in text(hint) and "chưa đủ" in text(hint)
    strong = person.post("/doi-mat-khau/do-manh", {"new_password": "tre xanh lũy biếc nắng vàng"}, htmx=True)
    assert "chưa đủ" not in text(strong)
    mismatch = person.post("/doi-mat-khau", {"new_password": "tre xanh lũy biếc nắng vàng", "confirm": "khác"})
    assert mismatch.status_code == 400 and "không khớp" in text(mismatch)
    weak = person.post("/doi-mat-khau", {"new_password": "1234567890", "confirm": "1234567890"})
    assert weak.status_code == 400 and "quá dễ đoán" in text(weak), text(weak)
    done = person.post("/doi-mat-khau", {"new_password": "tre xanh lũy biếc nắng vàng",
                                         "confirm": "tre xanh lũy biếc nắng vàng", "next": "/cong-viec?scope=unit"})
    assert done.status_code == 302 and done.headers["Location"] == "/cong-viec?scope=unit"
    inbox = person.get("/cong-viec")
    assert inbox.status_code == 200 and "Phùng Tiến Hùng" in text(inbox) and "Quá hạn" in text(inbox)
    assert "Quản lý đăng ký tài khoản" not in text(inbox), "an officer is not offered the admin menu"
    refused = person.get("/quan-tri/dang-ky")
    assert refused.status_code == 403 and "không có quyền" in text(refused)


def test_an_admin_approves_a_registration_and_the_one_time_password_is_shown_once(browser, suite):
    unit = suite.unit("BT.01.01.13")
    registered = suite.identity.post("/api/identity/register", json={
        "full_name": "Trần Thị Ánh", "citizen_id": "060095000777", "unit_id": unit["id"],
        "department": "Phòng Quản lý khoa học", "position": "Chuyên viên", "phone": "0912345678"})
    assert registered.status_code in (200, 201, 202), registered.get_json()
    admin = browser()
    admin.sign_in("qt.sokhcn")
    listing = admin.get("/quan-tri/dang-ky")
    assert listing.status_code == 200 and "Trần Thị Ánh" in text(listing)
    found = admin.get("/quan-tri/dang-ky?q=tran thi anh", headers={"HX-Request": "true"})
    assert "Trần Thị Ánh" in text(found) and "<html" not in text(found), "a fragment, found without diacritics"
    account_id = re.search(r'/quan-tri/dang-ky/([0-9a-f]{32})"', text(listing)).group(1)
    dialog = admin.get(f"/quan-tri/dang-ky/{account_id}", headers={"HX-Request": "true"})
    assert 'value="Phòng Quản lý khoa học"' in text(dialog)
    short = admin.post(f"/quan-tri/dang-ky/{account_id}/tu-choi", {"reason": "x"}, htmx=True)
    assert short.status_code == 400 and "lý do" in text(short)
    approved = admin.post(f"/quan-tri/dang-ky/{account_id}/duyet", {
        "department": "Phòng Quản lý khoa học", "position": "Chuyên viên", "roles": "officer"}, htmx=True)
    assert approved.status_code == 200, text(approved)
    assert approved.headers["Cache-Control"] == "no-store"
    password = re.search(r'id="one-time-password">([^<]+)<', text(approved)).group(1)
    username = re.search(r'id="approved-username">([^<]+)<', text(approved)).group(1)
    assert "Trần Thị Ánh" not in text(admin.get("/quan-tri/dang-ky")), "no longer waiting"
    officer = browser()
    officer.get("/dang-nhap")
    first = officer.post("/dang-nhap", {"username": username, "password": password})
    assert first.headers["Location"].startswith("/doi-mat-khau"), "the new officer signs in and must choose"


def test_an_officer_works_a_task_from_the_inbox_page(browser, suite):
    people = staff_field_report(suite)
    _process, task = start_report(suite, people)
    toan = browser()
    toan.sign_in("dinhtruongtoan")
    inbox = toan.get("/cong-viec")
    assert "Phân phối phản ánh" in text(inbox) and f"/cong-viec/{task['id']}" in text(inbox)
    page = toan.get(f"/cong-viec/{task['id']}")
    body = text(page)
    assert page.status_code == 200 and "Ý kiến phân phối" in body and "Phân phối" in body and "Trả về IOC" in body
    assert "Phùng Tiến Hùng" in body, "the people of the next step to choose from"
    assert "Trung tâm IOC" in body and "system:ioc" not in body, "who started it, in words"
    diagram = toan.get(f"/cong-viec/{task['id']}/so-do.bpmn")
    assert diagram.status_code == 200 and diagram.mimetype == "application/xml"
    assert b'id="Distribute"' in diagram.data and b"<bpmn:definitions" in diagram.data
    missing = toan.post(f"/cong-viec/{task['id']}/xu-ly", {"action": "assign", "field_note": "Giao anh Hùng"})
    assert missing.status_code == 302
    again = text(toan.get(missing.headers["Location"]))
    assert "Hãy chọn người xử lý tiếp theo" in again, "said, not a 500"
    assert ">Giao anh Hùng</textarea>" in again, "what was written is kept for the correction"
    done = toan.post(f"/cong-viec/{task['id']}/xu-ly", {"action": "assign", "field_note": "Giao anh Hùng",
                                                       "assign_to": people["hung"]})
    assert done.status_code == 302 and done.headers["Location"] == "/cong-viec"
    assert "Đã ghi nhận: Phân phối" in text(toan.get("/cong-viec"))
    hung = browser()
    hung.sign_in("phungtienhung")
    assert "Xử lý phản ánh" in text(hung.get("/cong-viec")), "the task went to the person chosen"


def test_a_form_without_its_csrf_token_changes_nothing(browser, suite):
    person = browser()
    person.sign_in("dinhtruongtoan")
    person.token = "forged"
    answer = person.post("/dang-xuat")
    assert answer.status_code == 302
    assert person.get("/cong-viec").status_code == 200, "still signed in: the forged sign-out did nothing"


def test_english_is_selectable(browser):
    person = browser()
    person.get("/dang-nhap")
    person.get("/ngon-ngu/en", headers={"Referer": "/dang-nhap"})
    page = person.get("/dang-nhap")
    assert 'lang="en"' in text(page) and "Sign in" in text(page) and "Tiếng Việt" in text(page)


def test_an_officer_registers_finding_the_unit_without_diacritics_and_each_mistake_is_said(browser, suite):
    person = browser()
    assert "Đăng ký tài khoản" in text(person.get("/dang-ky"))
    choices = person.get("/dang-ky/don-vi?unit_q=so khoa hoc", headers={"HX-Request": "true"})
    unit = suite.unit("BT.01.01.13")
    assert f'value="{unit["id"]}"' in text(choices) and "Sở Khoa học và Công nghệ" in text(choices)
    wrong = person.post("/dang-ky", {"full_name": "Lê Văn Bình", "citizen_id": "12345", "phone": "12",
                                     "date_of_birth": "1990-09-05",
                                     "unit_id": unit["id"], "unit_q": unit["name"]})
    page = text(wrong)
    assert wrong.status_code == 400 and "Số CCCD: gồm đúng 12 chữ số." in page and "Điện thoại:" in page
    assert "ngày/tháng/năm, ví dụ 05/09/1990" in page
    assert "citizen_id" not in page.split('id="errors"')[1].split("</div>")[0], "no field name on screen"
    assert 'value="Lê Văn Bình"' in page and f'value="{unit["id"]}" checked' in page, "what was typed stays"
    sent = person.post("/dang-ky", {"full_name": "Lê Văn Bình", "citizen_id": "060094000888",
                                    "date_of_birth": "05/09/1990",
                                    "unit_id": unit["id"], "unit_q": unit["name"]})
    assert sent.status_code == 200 and "Đã gửi đăng ký" in text(sent)
    waiting = suite.identity.get("/api/identity/accounts", query_string={"status": "pending", "q": "le van binh"},
                                 headers=suite.headers("qt.sokhcn")).get_json()
    assert [a["full_name"] for a in waiting["items"]] == ["Lê Văn Bình"]


def test_signing_in_gets_a_new_session_and_goes_back_only_to_this_site(browser):
    person = browser()
    person.get("/dang-nhap")
    before = person.client.get_cookie("egov_portal").value
    person.sign_in("dinhtruongtoan")
    assert person.client.get_cookie("egov_portal").value != before, "a new session id: no fixation"
    other = browser()
    other.get("/dang-nhap")
    for target in ("//evil.example/", "/\\evil.example/", "https://evil.example/"):
        answer = other.post("/dang-nhap", {"username": "dinhtruongtoan", "password": other.suite.people[
            "dinhtruongtoan"], "next": target})
        assert answer.headers["Location"] == "/cong-viec", target
        other.post("/dang-xuat")
        other.get("/dang-nhap")


def test_a_refused_access_token_is_refreshed_once_and_a_dead_session_signs_in_again(browser):
    person = browser()
    person.sign_in("dinhtruongtoan")
    with person.client.session_transaction() as session:
        session["access_token"] = "hết hạn"
    assert person.get("/cong-viec").status_code == 200, "refreshed with the refresh token"
    with person.client.session_transaction() as session:
        assert session["access_token"] != "hết hạn"
        session["access_token"], session["refresh_token"] = "hết hạn", "đã dùng"
    answer = person.get("/cong-viec")
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/dang-nhap")


def test_requests_arriving_together_with_an_expired_token_share_one_refresh(browser, suite):
    """htmx fragments and the live stream come together when the access token has just expired: one refresh
    for all (the refresh token is good once; a second use would end the session as a replay)."""
    person = browser()
    person.sign_in("dinhtruongtoan")
    person.get("/cong-viec")
    with person.client.session_transaction() as session:
        session["access_token"] = "hết hạn"
    name = suite.gateway.front.config["SESSION_COOKIE_NAME"]
    cookie = person.client.get_cookie(name).value
    start, answers = threading.Barrier(8), []
    api = suite.gateway.front.extensions["portal"].api
    transport, together = api.transport, threading.Barrier(8, timeout=1.0)

    def in_step(method, path, **kw):
        """Requests that ask identity for new tokens go at the same moment (the race, made certain)."""
        if path == "/api/identity/auth/refresh":
            try:
                together.wait()
            except threading.BrokenBarrierError:
                pass
        return transport(method, path, **kw)

    api.transport = in_step

    def load():
        client = suite.gateway.front.test_client()
        client.set_cookie(name, cookie)
        start.wait()
        answers.append(client.get("/cong-viec?scope=unit").status_code)

    threads = [threading.Thread(target=load) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    api.transport = transport
    assert answers == [200] * 8, "none of them was sent back to sign in"
    assert person.get("/cong-viec").status_code == 200, "and the session goes on"


def test_the_handler_asks_for_more_time_from_the_task_page(browser, suite):
    people = staff_field_report(suite)
    process, task = start_report(suite, people)
    process.post(f"/api/process/tasks/{task['id']}/complete", headers=suite.headers("dinhtruongtoan"),
                 json={"action": "assign", "assign_to": [people["hung"]]})
    hung = browser()
    hung.sign_in("phungtienhung")
    handle = re.search(r'href="/cong-viec/([0-9a-f]{32})">Xử lý phản ánh<', text(hung.get("/cong-viec"))).group(1)
    page = text(hung.get(f"/cong-viec/{handle}"))
    assert 'name="days"' in page and "Xin gia hạn" in page
    asked = hung.post(f"/cong-viec/{handle}/xu-ly", {"action": "request_extension", "days": "3",
                                                     "reason": "Chờ đơn vị điện lực kiểm tra"})
    assert asked.status_code == 302 and "Đã ghi nhận: Xin gia hạn" in text(hung.get("/cong-viec"))
    toan = browser()
    toan.sign_in("dinhtruongtoan")
    decide = re.search(r'href="/cong-viec/([0-9a-f]{32})">Duyệt gia hạn<', text(toan.get("/cong-viec")))
    assert decide, "the approver's step decides"
    page = text(toan.get(f"/cong-viec/{decide.group(1)}"))
    assert "Đề nghị gia hạn" in page and "Phùng Tiến Hùng" in page and "Chờ đơn vị điện lực kiểm tra" in page
    assert 'name="granted_days"' in page and 'max="3' in page and "Đồng ý gia hạn" in page
    assert 'value="approve"' not in page, "the decision's own buttons, not the step's other outcomes"
    too_many = toan.post(f"/cong-viec/{decide.group(1)}/xu-ly", {"action": "grant_extension", "granted_days": "5"})
    assert too_many.headers["Location"].endswith(decide.group(1)), "refused: back to the page, nothing decided"
    granted = toan.post(f"/cong-viec/{decide.group(1)}/xu-ly", {"action": "grant_extension", "granted_days": "2",
                                                                "reason": "Đồng ý 2 ngày"})
    assert granted.headers["Location"] == "/cong-viec"
    assert "Đã ghi nhận: Đồng ý gia hạn" in text(toan.get("/cong-viec"))
    again = re.search(r'href="/cong-viec/([0-9a-f]{32})">Xử lý phản ánh<', text(hung.get("/cong-viec")))
    assert again, "the handler has the task back"
    history = text(hung.get(f"/cong-viec/{again.group(1)}"))
    assert "Quyết định gia hạn" in history and "Đồng ý 2 ngày" in history


def test_the_handler_attaches_files_downloads_them_and_hands_the_task_to_a_colleague(browser, suite):
    people = staff_field_report(suite)
    _process, task = start_report(suite, people, report_id="IOC-T-FILES")
    toan = browser()
    toan.sign_in("dinhtruongtoan")
    toan.get(f"/cong-viec/{task['id']}")
    toan.post(f"/cong-viec/{task['id']}/xu-ly", {"action": "assign", "field_note": "Giao anh Hùng",
                                                 "assign_to": people["hung"]})
    hung = browser()
    hung.sign_in("phungtienhung")
    inbox = suite.gateway.apps["process"].test_client().get("/api/process/inbox",
                                                            headers=suite.headers("phungtienhung")).get_json()
    handle = next(t for t in inbox["items"] if t["name"] == "Xử lý phản ánh")
    page = text(hung.get(f"/cong-viec/{handle['id']}"))
    assert 'enctype="multipart/form-data"' in page and 'name="files"' in page
    assert 'name="delegate_to"' in page and "Đinh Trường Toàn" in page, "the colleagues of the step to hand it to"

    nothing = hung.post(f"/cong-viec/{handle['id']}/xu-ly", {"action": "attach"})
    assert "Hãy chọn tệp để đính kèm" in text(hung.get(nothing.headers["Location"]))
    empty = hung.post(f"/cong-viec/{handle['id']}/xu-ly", {"action": "attach", "files": (io.BytesIO(b""), "rỗng.pdf")},
                      content_type="multipart/form-data")
    assert "Tệp đính kèm rỗng" in text(hung.get(empty.headers["Location"])), "the service's refusal, in words"

    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    sent = hung.post(f"/cong-viec/{handle['id']}/xu-ly",
                     {"action": "attach", "files": (io.BytesIO(pdf), "Biên bản kiểm tra.pdf")},
                     content_type="multipart/form-data")
    page = text(hung.get(sent.headers["Location"]))
    assert "Đã đính kèm 1 tệp" in page and "Biên bản kiểm tra.pdf" in page
    link = re.search(r'href="(/ho-so/[^"]+/tep/[^"]+)"', page).group(1)
    download = hung.get(link)
    assert download.status_code == 200 and download.data == pdf
    assert download.mimetype == "application/pdf" and "filename*=UTF-8''Bi%C3%AAn" in download.headers[
        "Content-Disposition"]
    assert toan.get(link).status_code == 200, "who distributed it sees the instance's files too"
    assert browser().get(link).status_code == 302, "no file without a sign-in"

    unchosen = hung.post(f"/cong-viec/{handle['id']}/xu-ly", {"action": "delegate"})
    assert "Hãy chọn người nhận công việc" in text(hung.get(unchosen.headers["Location"]))
    handed = hung.post(f"/cong-viec/{handle['id']}/xu-ly", {"action": "delegate", "delegate_to": people["toan"],
                                                            "reason": "Anh Toàn nắm địa bàn"})
    assert handed.headers["Location"] == "/cong-viec"
    assert f"/cong-viec/{handle['id']}" in text(toan.get("/cong-viec")), "the task is in the colleague's inbox now"
    assert f"/cong-viec/{handle['id']}" not in text(hung.get("/cong-viec"))


def test_a_forgotten_password_is_replaced_with_the_code_sent_and_nobody_learns_who_has_an_account(browser, suite):
    from sqlmodel import select

    from services.common.models import OutboxMessage

    person = browser()
    assert "Quên mật khẩu?" in text(person.get("/dang-nhap"))
    person.get("/quen-mat-khau")
    known = text(person.post("/quen-mat-khau", {"username": "phungtienhung"}))
    unknown = text(person.post("/quen-mat-khau", {"username": "khong-co-ai"}))
    assert "Nếu tài khoản tồn tại" in known and "Nếu tài khoản tồn tại" in unknown
    assert person.post("/quen-mat-khau", {"username": " "}).status_code == 400
    with suite.runtime("identity").db.session() as session:
        rows = session.exec(select(OutboxMessage).where(
            OutboxMessage.event_type == "identity.password_reset.requested")).all()
    assert len(rows) == 1, "a code only for the account that exists"
    code = suite.gateway.apps["identity"].extensions["identity"].sealer.open(rows[0].event()["data"]["sealed_token"])

    person.get("/dat-lai-mat-khau")
    wrong = person.post("/dat-lai-mat-khau", {"code": "sai-ma", "new_password": "sông núi nước nam vua nam ở",
                                              "confirm": "sông núi nước nam vua nam ở"})
    assert wrong.status_code == 400 and "Mã không đúng" in text(wrong)
    mismatch = person.post("/dat-lai-mat-khau", {"code": code, "new_password": "sông núi nước nam vua nam ở",
                                                 "confirm": "khác"})
    assert mismatch.status_code == 400 and "không khớp" in text(mismatch) and f'value="{code}"' in text(mismatch)
    weak = person.post("/dat-lai-mat-khau", {"code": code, "new_password": "12345678", "confirm": "12345678"})
    assert weak.status_code == 400 and "Mật khẩu" in text(weak)
    done = person.post("/dat-lai-mat-khau", {"code": code, "new_password": "sông núi nước nam vua nam ở",
                                             "confirm": "sông núi nước nam vua nam ở"})
    assert done.status_code == 302 and done.headers["Location"] == "/dang-nhap"
    assert "Đã đặt mật khẩu mới" in text(person.get("/dang-nhap"))
    signed = person.post("/dang-nhap", {"username": "phungtienhung", "password": "sông núi nước nam vua nam ở"})
    assert signed.status_code == 302 and signed.headers["Location"] == "/cong-viec"


def test_the_waiting_registrations_are_filtered_by_unit_with_or_without_the_units_below(browser, suite):
    skhcn, centre = suite.unit("BT.01.01.13"), suite.unit("BT.01.01.13.06")
    for name, citizen_id, unit in (("Trần Thị Ánh", "060095000777", skhcn), ("Võ Văn Bình", "060095000888", centre)):
        registered = suite.identity.post("/api/identity/register", json={
            "full_name": name, "citizen_id": citizen_id, "unit_id": unit["id"], "phone": "0912345678"})
        assert registered.status_code in (200, 201, 202), registered.get_json()
    admin = browser()
    admin.sign_in("qt.sokhcn")
    page = text(admin.get("/quan-tri/dang-ky"))
    assert f'<option value="{centre["id"]}" >{centre["name"]} (1)</option>' in page, "units waiting, with counts"
    assert "<td>Chi cục Tiêu chuẩn Đo lường Chất lượng</td>" in page, "each row names its unit"

    below = text(admin.get(f"/quan-tri/dang-ky?unit_id={centre['id']}", headers={"HX-Request": "true"}))
    assert "Võ Văn Bình" in below and "Trần Thị Ánh" not in below and "1 tài khoản chờ duyệt" in below
    whole = text(admin.get(f"/quan-tri/dang-ky?unit_id={skhcn['id']}&subtree=0&subtree=1"))
    assert "Võ Văn Bình" in whole and "Trần Thị Ánh" in whole
    alone = text(admin.get(f"/quan-tri/dang-ky?unit_id={skhcn['id']}&subtree=0"))
    assert "Trần Thị Ánh" in alone and "Võ Văn Bình" not in alone
    assert 'id="subtree" type="checkbox" name="subtree" value="1" >' in alone, "the box stays unticked"
    both = text(admin.get(f"/quan-tri/dang-ky?unit_id={skhcn['id']}&q=vo van", headers={"HX-Request": "true"}))
    assert "Võ Văn Bình" in both and "Trần Thị Ánh" not in both, "text and unit together"
    elsewhere = admin.get(f"/quan-tri/dang-ky?unit_id={suite.unit('BT.01.01.14')['id']}")
    assert elsewhere.status_code in (403, 404) and "Võ Văn Bình" not in text(elsewhere), "another Sở: refused"


def test_a_case_is_looked_up_by_the_key_its_sender_gave(browser, suite):
    people = staff_field_report(suite)
    suite.runtime("orgunits").bus.publish(report_event("IOC-TRA-2", people["unit"]["id"]))
    suite.deliver()
    officer = browser()
    officer.sign_in("dinhtruongtoan")
    assert "Tra cứu theo mã" in text(officer.get("/cong-viec"))
    page = text(officer.get("/cong-viec/tra-cuu", query_string={"quy_trinh": "field_report", "ma": "IOC-TRA-2"}))
    assert "Đèn đường hỏng trên đường Trần Hưng Đạo" in page and "Tiếp nhận, phân phối" in page
    none = text(officer.get("/cong-viec/tra-cuu", query_string={"quy_trinh": "field_report", "ma": "KHONG-CO"}))
    assert "Không tìm thấy hồ sơ nào mang mã này" in none
