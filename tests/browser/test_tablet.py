"""On a tablet (768 × 1024, touch, held upright — the size meetings will use): the officer's inbox, a task's page
with its diagram, the notifications, and the admin's account list and unit page fit the screen's width (nothing
to scroll sideways), every button is large enough to touch, and the menu stays reachable."""
from __future__ import annotations

import pytest

from tests.browser.conftest import screen, signed_in

TABLET = {"viewport": {"width": 768, "height": 1024}, "has_touch": True, "is_mobile": True,
          "device_scale_factor": 2}
WIDTH = TABLET["viewport"]["width"]

# the widest element a page lays out, and the buttons smaller than a fingertip (WCAG 2.5.8: 24 CSS px)
MEASURE = """() => ({
  width: document.documentElement.scrollWidth,
  small: [...document.querySelectorAll('button, a.button, input[type=submit]')]
    .filter(b => b.offsetParent !== null)
    .map(b => [b.textContent.trim().slice(0, 40), b.getBoundingClientRect().height])
    .filter(([, h]) => h < 24),
})"""


def fits(page, name: str) -> None:
    measured = page.evaluate(MEASURE)
    assert measured["width"] <= WIDTH, f"{name}: {measured['width']} px wide on a {WIDTH} px screen"
    assert measured["small"] == [], f"{name}: buttons too small to touch"
    assert screen(page, name) == []


@pytest.mark.parametrize("screen_of", ["officer", "admin"])
def test_the_main_screens_fit_a_tablet(live, browser_page, screen_of):
    from tests.unit.process.story import staff_field_report, start_report

    if screen_of == "officer":
        start_report(live, staff_field_report(live))
        officer = signed_in(live, browser_page, "dinhtruongtoan", **TABLET)
        officer.get_by_role("heading", name="Công việc").wait_for()
        fits(officer, "24-may-tinh-bang-cong-viec")
        officer.get_by_role("link", name="Phân phối phản ánh").click()
        officer.locator("#diagram[data-ready=true]").wait_for()
        fits(officer, "25-may-tinh-bang-xu-ly")
        assert officer.get_by_role("link", name="Thông báo").is_visible(), "the menu stays reachable"
        officer.get_by_role("link", name="Thông báo").click()
        officer.get_by_role("heading", name="Thông báo").wait_for()
        fits(officer, "26-may-tinh-bang-thong-bao")
    else:
        admin = signed_in(live, browser_page, "qt.sokhcn", **TABLET)
        admin.goto(f"{live.base}/quan-tri/tai-khoan")
        admin.get_by_role("heading", name="Quản lý tài khoản").wait_for()
        fits(admin, "27-may-tinh-bang-tai-khoan")
        admin.goto(f"{live.base}/don-vi/{live.unit('BT.01.01.13')['id']}")
        admin.get_by_role("heading", name="Biên chế và cán bộ").wait_for()
        fits(admin, "28-may-tinh-bang-don-vi")
