"""Thông báo in the portal: the bell's live stream (the unread count, then each new notification as a piece of
page), the list with its unread filter, marking one or all read — over the embedded suite."""
from __future__ import annotations

import re

from tests.unit.notify.test_delivery import deliver, forwarded
from tests.unit.portal.conftest import text


def events_of(response, wanted: int) -> list[dict]:
    """Read the portal's stream until ``wanted`` events (not comments) have come."""
    found, buffer = [], ""
    for chunk in response.response:
        buffer += chunk.decode() if isinstance(chunk, bytes) else chunk
        while "\n\n" in buffer:
            block, buffer = buffer.split("\n\n", 1)
            fields: dict[str, str] = {}
            for line in block.splitlines():
                name, _sep, value = line.partition(": ")
                fields[name] = fields.get(name, "") + value
            if "event" in fields:
                found.append(fields)
        if len(found) >= wanted:
            return found
    return found


def test_the_bell_streams_the_count_then_each_new_notification(browser, suite):
    deliver(suite, forwarded(suite, name="Rà soát hồ sơ khẩn"), forwarded(suite, name="Báo cáo quý IV"))
    hung = browser()
    hung.sign_in("phungtienhung")
    page = text(hung.get("/cong-viec"))
    assert 'sse-connect="/thong-bao/luong"' in page and 'sse-swap="bell"' in page and 'aria-live="polite"' in page

    unread = suite.gateway.apps["notify"].test_client().get("/api/notify/notifications/unread-count",
                                                            headers=suite.headers("phungtienhung")).get_json()["unread"]
    assert unread >= 2
    fresh = hung.client.get("/thong-bao/luong", buffered=False)
    try:
        assert fresh.mimetype == "text/event-stream"
        first = events_of(fresh, 1)[0]
        assert first["event"] == "bell" and f'<span class="badge count">{unread}</span>' in first["data"]
    finally:
        fresh.close()

    resumed = hung.client.get("/thong-bao/luong", buffered=False, headers={"Last-Event-ID": "0"})
    try:
        events = events_of(resumed, 1 + 2 * unread)   # the count, then each notification and the count again
        notices = [e for e in events if e["event"] == "notification"]
        assert len(notices) == unread and all(e["id"].isdigit() for e in notices)
        assert [int(e["id"]) for e in notices] == sorted(int(e["id"]) for e in notices), "in order, with their ids"
        urgent = next(e for e in notices if "Rà soát hồ sơ khẩn" in e["data"])
        assert 'href="/cong-viec/task-1"' in urgent["data"] and "<script" not in urgent["data"]
        assert events[-1]["event"] == "bell" and f">{unread}<" in events[-1]["data"]
    finally:
        resumed.close()


def test_the_list_filters_unread_and_marks_one_or_all_read(browser, suite):
    hung = browser()
    hung.sign_in("phungtienhung")
    hung.post("/thong-bao/da-doc-het")   # what the demo data's start left
    deliver(suite, *(forwarded(suite, name=f"Nhiệm vụ số {n}") for n in range(1, 4)))
    page = text(hung.get("/thong-bao"))
    assert page.count('class="notice unread"') == 3 and "Nhiệm vụ số 3" in page
    first = re.search(r'/thong-bao/(\d+)/da-doc', page).group(1)
    row = hung.post(f"/thong-bao/{first}/da-doc", htmx=True)
    assert row.status_code == 200 and 'class="notice"' in text(row) and 'hx-swap-oob="innerHTML"' in text(row)
    assert '<span class="badge count">2</span>' in text(row), "the bell counts what is left"
    unread = text(hung.get("/thong-bao?loc=chua-doc"))
    assert unread.count('class="notice unread"') == 2 and f'id="notice-{first}"' not in unread

    second = re.search(r"/thong-bao/(\d+)/da-doc", unread).group(1)
    opened = hung.post(f"/thong-bao/{second}/da-doc", {"open": "1"})
    assert opened.headers["Location"] == "/cong-viec/task-1", "opening leads to the task"

    done = hung.post("/thong-bao/da-doc-het")
    assert "Đã đánh dấu 1 thông báo là đã đọc" in text(hung.get(done.headers["Location"]))
    assert 'class="notice unread"' not in text(hung.get("/thong-bao"))
    assert "Không có thông báo nào" in text(hung.get("/thong-bao?loc=chua-doc"))

    other = browser()
    other.sign_in("dinhtruongtoan")
    other.get("/thong-bao")
    refused = other.post(f"/thong-bao/{first}/da-doc")
    assert refused.status_code == 404 and "Không tìm thấy" in text(refused), "someone else's notification"
