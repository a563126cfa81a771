"""Seed 000's process, changed by a designer in the browser: PAHT opens in the bpmn-js modeler; a step lane is
added below the others and described in the properties panel's "Bước" group (built from the conventions' JSON
Schema); a task is put in it; a bad condition is marked red on its flow when deploying, fixed in the "Điều kiện"
field, and version 2 deploys; the unit admin then staffs the new step. The screens are saved and checked by
axe-core."""
from __future__ import annotations

from tests.browser.conftest import screen, signed_in


def select(page, element_id: str) -> None:
    """Select an element of the diagram, as clicking it does (the palette covers the pool's label band, so the
    test asks the modeler's selection instead of aiming the mouse); the context pad and the panel follow."""
    page.evaluate("""id => { const m = window.egovModeler;
        m.get('selection').select(m.get('elementRegistry').get(id)); }""", element_id)


def test_a_designer_adds_a_step_fixes_a_bad_condition_and_a_unit_staffs_version_2(live, browser_page):
    designer = signed_in(live, browser_page, "admin")
    errors = []
    designer.on("pageerror", lambda error: errors.append(str(error)))
    designer.get_by_role("link", name="Thiết kế quy trình").click()
    designer.get_by_role("link", name="Xử lý phản ánh hiện trường").click()
    designer.locator("#modeler[data-ready=true]").wait_for()
    assert screen(designer, "16-thiet-ke") == []

    # a new lane under the pool's last one, through the pool's context pad
    select(designer, "Participant_field_report")
    designer.locator('.djs-context-pad [data-action="lane-insert-below"]').click()
    lane = designer.evaluate("""() => window.egovModeler.get('elementRegistry')
        .filter(e => e.type === 'bpmn:Lane').map(e => e.id)
        .find(id => !['Lane_distribute', 'Lane_handle', 'Lane_approve'].includes(id))""")
    assert lane
    select(designer, lane)
    panel = designer.locator("#properties")
    panel.get_by_text("Bước", exact=True).click()
    panel.get_by_label("Thao tác (cách nhau bởi dấu phẩy)").fill("archive,return_to_previous")
    panel.get_by_label("Số giờ cố định").fill("8")
    panel.get_by_label("Thông báo cho cán bộ khi có việc").uncheck()
    panel.get_by_text("Chung", exact=True).click()
    panel.get_by_label("Tên", exact=True).fill("Lưu hồ sơ")
    panel.get_by_label("Tên", exact=True).press("Tab")
    designer.locator(f'#modeler [data-element-id="{lane}"]', has_text="Lưu hồ sơ").wait_for()
    assert screen(designer, "17-thiet-ke-buoc") == []

    # a task in the new step, between the approval and the end (as dragging it from the palette does)
    designer.evaluate("""lane => { const m = window.egovModeler, registry = m.get('elementRegistry'),
        modeling = m.get('modeling'), target = registry.get(lane);
        const task = modeling.createShape({ type: 'bpmn:UserTask' },
            { x: target.x + target.width / 2, y: target.y + target.height / 2 },
            registry.get('Participant_field_report'));
        modeling.updateLabel(task, 'Lưu hồ sơ');
        modeling.reconnectEnd(registry.get('Flow_approve_done'), task, { x: task.x, y: task.y + task.height / 2 });
        modeling.connect(task, registry.get('End_approved')); }""", lane)

    # a condition broken on purpose: deploying marks its flow and says why
    select(designer, "Flow_extension_requested")
    assert panel.locator(".bio-properties-panel-header-type").inner_text().lower() == "luồng", "the kind, in Vietnamese"
    panel.get_by_text("Điều kiện rẽ nhánh", exact=True).click()
    condition = panel.get_by_label("Điều kiện", exact=True)
    assert condition.input_value() == 'action == "request_extension"'
    condition.fill("action ==")
    designer.get_by_role("button", name="Triển khai phiên bản mới").click()
    designer.get_by_text("Chưa triển khai: 1 lỗi cần sửa").wait_for()
    assert designer.locator('#modeler [data-element-id="Flow_extension_requested"].has-problem').count() >= 1
    assert "Flow_extension_requested: điều kiện:" in designer.locator("#problems").inner_text(), "said in Vietnamese"
    assert screen(designer, "18-thiet-ke-loi") == []

    designer.locator("#problems button").first.click()   # the problem leads to its element
    condition.fill('action == "request_extension"')
    designer.get_by_role("button", name="Triển khai phiên bản mới").click()
    designer.get_by_text("phiên bản 2").first.wait_for()
    assert designer.locator("#current-version").inner_text() == "2"
    assert designer.locator(".has-problem").count() == 0
    assert designer.get_by_role("link", name="field_report-v2.bpmn").is_visible()

    assert errors == [], "no script error on the designer's page"

    admin = signed_in(live, browser_page, "qt.sokhcn")
    admin.goto(f"{live.base}/quan-tri/quy-trinh/field_report")
    step = admin.locator(f"#step-{lane}")
    step.wait_for()
    assert "Lưu hồ sơ" in step.inner_text()
    step.get_by_label("Đinh Trường Toàn").check()
    step.get_by_role("button", name="Lưu bước 4").click()
    admin.get_by_text("Đã lưu bước.").wait_for()
