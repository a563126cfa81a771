// Thiết kế quy trình: the bpmn-js modeler with a properties panel whose "Bước" group (on lanes) and "Quy ước"
// group (on the process, user tasks, service tasks, end events, message catches) are built from the process
// service's JSON Schema of the suite's conventions (camunda:properties); a "Điều kiện" field on the flows out of
// gateways. Deploying sends the diagram to the portal; each problem the service reports becomes a marker on its
// element with the sentence. Bundled by esbuild at `make install` (nothing of it is committed but this file).
import BpmnModeler from "bpmn-js/lib/Modeler";
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, useService } from "bpmn-js-properties-panel";
import {
  CheckboxEntry, TextFieldEntry, isCheckboxEntryEdited, isTextFieldEntryEdited,
} from "@bpmn-io/properties-panel";
import { jsx } from "@bpmn-io/properties-panel/preact/jsx-runtime";
import camundaModdle from "camunda-bpmn-moddle/resources/camunda.json";
import { getBusinessObject, is } from "bpmn-js/lib/util/ModelUtil";

import "bpmn-js/dist/assets/diagram-js.css";
import "bpmn-js/dist/assets/bpmn-js.css";
import "bpmn-js/dist/assets/bpmn-font/css/bpmn-embedded.css";
import "@bpmn-io/properties-panel/dist/assets/properties-panel.css";

// the words a Vietnamese designer reads; the schema's own description stays as the hint under each field
const LABELS = {
  step: "Số thứ tự bước", actions: "Thao tác (cách nhau bởi dấu phẩy)", reason_required: "Thao tác cần lý do",
  chooses_next: "Thao tác chọn người xử lý tiếp", time_share_percent: "Tỷ lệ thời gian (%)",
  fixed_hours: "Số giờ cố định", default_staff: "Cán bộ mặc định (step:N)", push: "Thông báo cho cán bộ khi có việc",
  attachment_required: "Bắt buộc đính kèm tệp", people: "Người xử lý", unit_role: "Vai trò trong đơn vị",
  abbreviation: "Tên viết tắt", group: "Nhóm quy trình", total_days: "Tổng thời gian (ngày làm việc)",
  decides_extension_of: "Quyết định gia hạn cho (mã công việc)", retries: "Số lần thử lại",
  correlate_by: "Khớp thông điệp theo biến", result: "Kết quả", event: "Sự kiện phát ra khi kết thúc",
  event_data: "Dữ liệu sự kiện (tên=nguồn, …)",
};

function kindOf(element) {
  const bo = getBusinessObject(element);
  if (is(element, "bpmn:Lane")) return "lane";
  if (is(element, "bpmn:UserTask")) return "userTask";
  if (is(element, "bpmn:ServiceTask")) return "serviceTask";
  if (is(element, "bpmn:EndEvent")) return "endEvent";
  if (is(element, "bpmn:Participant") || is(element, "bpmn:Process")) return "process";
  if ((is(element, "bpmn:IntermediateCatchEvent") || is(element, "bpmn:BoundaryEvent")
       || is(element, "bpmn:StartEvent")) && (bo.eventDefinitions || []).some((d) => is(d, "bpmn:MessageEventDefinition"))) {
    return "messageCatch";
  }
  if (is(element, "bpmn:ReceiveTask")) return "messageCatch";
  return null;
}

// where the properties live: a pool's are its process's
function owner(element) {
  const bo = getBusinessObject(element);
  return is(element, "bpmn:Participant") ? bo.get("processRef") : bo;
}

function propertiesOf(bo) {
  const ext = bo && bo.get("extensionElements");
  return ext ? (ext.get("values") || []).find((v) => is(v, "camunda:Properties")) : null;
}

function readProperty(element, name) {
  const props = propertiesOf(owner(element));
  const found = props ? (props.get("values") || []).find((p) => p.name === name) : null;
  return found ? found.value || "" : "";
}

function writeProperty(element, name, value, bpmnFactory, commandStack) {
  const bo = owner(element);
  if (!bo) return;
  const commands = [];
  let ext = bo.get("extensionElements");
  if (!ext) {
    ext = bpmnFactory.create("bpmn:ExtensionElements", { values: [] });
    ext.$parent = bo;
    commands.push({ cmd: "element.updateModdleProperties",
                    context: { element, moddleElement: bo, properties: { extensionElements: ext } } });
  }
  let props = propertiesOf(bo);
  if (!props) {
    props = bpmnFactory.create("camunda:Properties", { values: [] });
    props.$parent = ext;
    commands.push({ cmd: "element.updateModdleProperties",
                    context: { element, moddleElement: ext, properties: { values: [...(ext.get("values") || []), props] } } });
  }
  const values = [];
  let placed = false;
  for (const p of props.get("values") || []) {
    if (p.name !== name) { values.push(p); continue; }
    if (!placed && value !== "") {
      const updated = bpmnFactory.create("camunda:Property", { name, value });
      updated.$parent = props;
      values.push(updated);
      placed = true;
    }
  }
  if (!placed && value !== "") {
    const added = bpmnFactory.create("camunda:Property", { name, value });
    added.$parent = props;
    values.push(added);
  }
  commands.push({ cmd: "element.updateModdleProperties",
                  context: { element, moddleElement: props, properties: { values } } });
  commandStack.execute("properties-panel.multi-command-executor", commands);
}

function typeOf(spec) {
  const types = spec.type ? [spec.type] : (spec.anyOf || []).map((a) => a.type);
  return types.find((t) => t && t !== "null") || "string";
}

function ConventionField(props) {
  const { element, id, name, spec } = props;
  const bpmnFactory = useService("bpmnFactory");
  const commandStack = useService("commandStack");
  const debounce = useService("debounceInput");
  const label = LABELS[name] || name;
  const description = [spec.description, spec.default !== undefined && spec.default !== null
    ? `Mặc định: ${Array.isArray(spec.default) ? spec.default.join(",") : spec.default}` : ""].filter(Boolean).join(" · ");
  if (typeOf(spec) === "boolean") {
    return jsx(CheckboxEntry, {
      element, id, label, description,
      getValue: () => { const v = readProperty(element, name); return v === "" ? !!spec.default : v === "true"; },
      setValue: (v) => writeProperty(element, name, v ? "true" : "false", bpmnFactory, commandStack),
    });
  }
  return jsx(TextFieldEntry, {
    element, id, label, description, debounce,
    getValue: () => readProperty(element, name),
    setValue: (v) => writeProperty(element, name, (v || "").trim(), bpmnFactory, commandStack),
  });
}

function ConditionField(props) {
  const { element, id } = props;
  const bpmnFactory = useService("bpmnFactory");
  const modeling = useService("modeling");
  const debounce = useService("debounceInput");
  return jsx(TextFieldEntry, {
    element, id, debounce, label: "Điều kiện",
    description: "Biểu thức Python trên dữ liệu của quy trình, ví dụ action == \"approve\"; để trống ở luồng mặc định",
    getValue: () => { const c = getBusinessObject(element).get("conditionExpression"); return c ? c.get("body") || "" : ""; },
    setValue: (v) => {
      const body = (v || "").trim();
      modeling.updateProperties(element, { conditionExpression: body
        ? bpmnFactory.create("bpmn:FormalExpression", { body }) : undefined });
    },
  });
}

function ConventionsProvider(propertiesPanel, injector) {
  const schema = injector.get("config.conventionsSchema", false) || { properties: {} };
  this.getGroups = function (element) {
    return function (groups) {
      const kind = kindOf(element);
      const spec = kind && schema.properties[kind];
      if (spec) {
        groups.unshift({
          id: `egov-${kind}`, label: kind === "lane" ? "Bước" : "Quy ước của hệ thống",
          entries: Object.entries(spec.properties || {}).map(([name, field]) => ({
            id: `egov-${name}`, element, component: (p) => ConventionField({ ...p, name, spec: field }),
            isEdited: typeOf(field) === "boolean" ? isCheckboxEntryEdited : isTextFieldEntryEdited,
          })),
        });
      }
      if (is(element, "bpmn:SequenceFlow") && is(getBusinessObject(element).sourceRef, "bpmn:Gateway")) {
        groups.unshift({ id: "egov-condition", label: "Điều kiện rẽ nhánh",
                         entries: [{ id: "egov-condition-body", element, component: ConditionField,
                                     isEdited: isTextFieldEntryEdited }] });
      }
      return groups;
    };
  };
  propertiesPanel.registerProvider(400, this);
}
ConventionsProvider.$inject = ["propertiesPanel", "injector"];

const ConventionsModule = { __init__: ["egovConventions"], egovConventions: ["type", ConventionsProvider] };

// the modeler's own words in Vietnamese (palette, context pad, the panel's standard groups); others stay as they are
const WORDS = {
  "General": "Chung", "Name": "Tên", "ID": "Mã", "Documentation": "Ghi chú", "Element documentation": "Ghi chú",
  "Process": "Quy trình", "Participant": "Bể (pool)", "Lane": "Làn (bước)", "Sequence flow": "Luồng",
  "Activate hand tool": "Công cụ kéo màn hình", "Activate lasso tool": "Chọn nhiều phần tử",
  "Activate create/remove space tool": "Thêm/bớt khoảng trống", "Activate global connect tool": "Nối phần tử",
  "Create start event": "Thêm sự kiện bắt đầu", "Create intermediate/boundary event": "Thêm sự kiện trung gian",
  "Create end event": "Thêm sự kiện kết thúc", "Create gateway": "Thêm cổng rẽ nhánh", "Create task": "Thêm công việc",
  "Create data object reference": "Thêm dữ liệu", "Create data store reference": "Thêm kho dữ liệu",
  "Create expanded sub-process": "Thêm quy trình con", "Create pool/participant": "Thêm bể (pool)",
  "Create group": "Thêm nhóm", "Add lane above": "Thêm làn phía trên", "Add lane below": "Thêm làn phía dưới",
  "Divide into two lanes": "Chia làm hai làn", "Divide into three lanes": "Chia làm ba làn", "Delete": "Xóa",
  "Change element": "Đổi loại phần tử", "Connect to other element": "Nối tới phần tử khác",
  "Append task": "Nối thêm công việc", "Append end event": "Nối thêm sự kiện kết thúc", "Append gateway": "Nối thêm cổng",
  "Append intermediate/boundary event": "Nối thêm sự kiện trung gian", "Add text annotation": "Thêm chú thích",
  // the element's kind at the head of the panel and in "change element"
  "Sequence Flow": "Luồng", "Conditional Flow": "Luồng có điều kiện", "Default Flow": "Luồng mặc định",
  "Start Event": "Sự kiện bắt đầu", "End Event": "Sự kiện kết thúc", "Message Start Event": "Bắt đầu khi nhận thông điệp",
  "Timer Start Event": "Bắt đầu theo hẹn giờ", "Intermediate Throw Event": "Sự kiện trung gian",
  "Message Intermediate Catch Event": "Chờ thông điệp", "Timer Intermediate Catch Event": "Chờ hẹn giờ",
  "Message Boundary Event": "Thông điệp trên biên", "Timer Boundary Event": "Hẹn giờ trên biên",
  "Timer Boundary Event (Non Interrupting)": "Hẹn giờ trên biên (không ngắt)", "Error Boundary Event": "Lỗi trên biên",
  "Message End Event": "Kết thúc gửi thông điệp", "Error End Event": "Kết thúc báo lỗi",
  "Task": "Công việc", "User Task": "Công việc của người dùng", "Service Task": "Tác vụ dịch vụ",
  "Script Task": "Tác vụ kịch bản", "Business Rule Task": "Tác vụ bảng quyết định", "Receive Task": "Tác vụ nhận",
  "Send Task": "Tác vụ gửi", "Manual Task": "Công việc thủ công", "Call Activity": "Gọi quy trình khác",
  "Exclusive Gateway": "Cổng rẽ một nhánh", "Parallel Gateway": "Cổng song song", "Inclusive Gateway": "Cổng rẽ nhiều nhánh",
  "Event Based Gateway": "Cổng theo sự kiện", "Collapsed Sub Process": "Quy trình con (thu gọn)",
  "Expanded Sub Process": "Quy trình con", "Event Sub Process": "Quy trình con theo sự kiện",
  "Text Annotation": "Chú thích", "Group": "Nhóm", "Data Object Reference": "Dữ liệu", "Data Store Reference": "Kho dữ liệu",
  "User task": "Công việc của người dùng", "Service task": "Tác vụ dịch vụ", "Script task": "Tác vụ kịch bản",
  "Business rule task": "Tác vụ bảng quyết định", "Receive task": "Tác vụ nhận", "Send task": "Tác vụ gửi",
  "Manual task": "Công việc thủ công", "Call activity": "Gọi quy trình khác", "Exclusive gateway": "Cổng rẽ một nhánh",
  "Parallel gateway": "Cổng song song", "Inclusive gateway": "Cổng rẽ nhiều nhánh", "Start event": "Sự kiện bắt đầu",
  "End event": "Sự kiện kết thúc",
  // the standard groups and fields of the panel
  "Executable": "Cho phép chạy", "Version tag": "Nhãn phiên bản", "Process documentation": "Ghi chú quy trình",
  "Message": "Thông điệp", "Timer": "Hẹn giờ", "Error": "Lỗi", "Signal": "Tín hiệu", "Condition": "Điều kiện",
  "Multi-instance": "Lặp nhiều lần", "Loop cardinality": "Số lần lặp", "Completion condition": "Điều kiện hoàn thành",
  "Type": "Loại", "Value": "Giá trị",
};

function translate(template, replacements) {
  const text = WORDS[template] || template;
  return text.replace(/{([^}]+)}/g, (_m, key) => (replacements && replacements[key]) || `{${key}}`);
}

const TranslateModule = { translate: ["value", translate] };

function csrf() {
  const meta = document.querySelector("body[hx-headers]");
  try { return JSON.parse(meta.getAttribute("hx-headers"))["X-CSRFToken"]; } catch (e) { return ""; }
}

function start() {
  const box = document.getElementById("modeler");
  if (!box) return;
  const schema = JSON.parse(document.getElementById("conventions-schema").textContent || "{}");
  const modeler = new BpmnModeler({
    container: box,
    propertiesPanel: { parent: "#properties" },
    additionalModules: [BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, ConventionsModule, TranslateModule],
    moddleExtensions: { camunda: camundaModdle },
    conventionsSchema: schema,
  });
  window.egovModeler = modeler;   // for the browser tests and the curious designer's console
  const status = document.getElementById("deploy-status");
  const list = document.getElementById("problems");
  let marked = [];

  function clearMarks() {
    const canvas = modeler.get("canvas");
    const overlays = modeler.get("overlays");
    marked.forEach((id) => { try { canvas.removeMarker(id, "has-problem"); } catch (e) { /* gone */ } });
    overlays.remove({ type: "problem" });
    marked = [];
    list.replaceChildren();
  }

  function showProblems(problems) {
    const canvas = modeler.get("canvas");
    const overlays = modeler.get("overlays");
    const registry = modeler.get("elementRegistry");
    problems.forEach((problem) => {
      const item = document.createElement("li");
      const shape = problem.element_id && registry.get(problem.element_id);
      const where = problem.element_id ? `${problem.element_id}: ` : (problem.line ? `Dòng ${problem.line}: ` : "");
      if (shape) {
        canvas.addMarker(problem.element_id, "has-problem");
        marked.push(problem.element_id);
        const note = document.createElement("div");
        note.className = "problem-note";
        note.textContent = problem.message;
        overlays.add(problem.element_id, "problem", { position: { bottom: -6, left: 0 }, html: note });
        const link = document.createElement("button");
        link.type = "button";
        link.className = "link";
        link.textContent = `${where}${problem.message}`;
        link.addEventListener("click", () => { modeler.get("selection").select(shape); canvas.scrollToElement(shape); });
        item.appendChild(link);
      } else {
        item.textContent = `${where}${problem.message}`;
      }
      list.appendChild(item);
    });
  }

  fetch(box.getAttribute("data-xml"), { credentials: "same-origin" })
    .then((r) => r.text())
    .then((xml) => modeler.importXML(xml))
    .then(() => { modeler.get("canvas").zoom("fit-viewport"); box.setAttribute("data-ready", "true"); })
    .catch(() => { box.setAttribute("data-ready", "failed"); status.textContent = box.getAttribute("data-load-failed"); });

  document.getElementById("deploy").addEventListener("click", async () => {
    clearMarks();
    status.textContent = box.getAttribute("data-deploying");
    const { xml } = await modeler.saveXML({ format: true });
    const answer = await fetch(box.getAttribute("data-deploy"), {
      method: "POST", credentials: "same-origin", body: xml,
      headers: { "Content-Type": "application/xml", Accept: "application/json", "X-CSRFToken": csrf() },
    });
    const body = await answer.json().catch(() => ({ message: box.getAttribute("data-failed") }));
    status.textContent = body.message || "";
    status.className = answer.ok ? "flash success" : "flash error";
    if (!answer.ok && body.problems) showProblems(body.problems);
    if (answer.ok && body.versions_html) document.getElementById("versions").innerHTML = body.versions_html;
    if (answer.ok && body.version) document.getElementById("current-version").textContent = body.version;
  });
}

document.addEventListener("DOMContentLoaded", start);
