// The portal's own behaviour, with no inline script (the pages' Content-Security-Policy allows none):
// a dialog opens when htmx fills it, and buttons close it or reload the list behind it.
document.addEventListener("htmx:afterSwap", function (event) {
  var target = event.detail.target || event.target;   // the live stream's swaps name no target
  if (!target || !target.closest) { return; }
  var dialog = target.closest("dialog");
  if (dialog && !dialog.open) { dialog.showModal(); }
});
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-close-dialog], [data-reload]");
  if (!button) { return; }
  if (button.hasAttribute("data-reload")) { window.location.reload(); return; }
  button.closest("dialog").close();
});
// choosing a unit among the search results keeps its name in the search box
document.addEventListener("change", function (event) {
  if (event.target.matches("input[type=radio][data-name]")) {
    document.getElementById("unit_q").value = event.target.getAttribute("data-name");
  }
});
// a staff list filtered as one types a name or a department, with or without diacritics
function plain(text) {
  return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
}
document.addEventListener("input", function (event) {
  if (!event.target.matches("[data-filter-people]")) { return; }
  var wanted = plain(event.target.value.trim());
  event.target.closest("fieldset").querySelectorAll("[data-person]").forEach(function (row) {
    row.hidden = wanted !== "" && plain(row.getAttribute("data-person")).indexOf(wanted) === -1;
  });
});
// the process diagram on a task's page (bpmn-js viewer), with the step being worked on highlighted
document.addEventListener("DOMContentLoaded", function () {
  var box = document.getElementById("diagram");
  if (!box || !window.BpmnJS) { return; }
  var viewer = new window.BpmnJS({ container: box });
  fetch(box.getAttribute("data-diagram"), { credentials: "same-origin" })
    .then(function (response) { return response.text(); })
    .then(function (xml) { return viewer.importXML(xml); })
    .then(function () {
      var canvas = viewer.get("canvas");
      canvas.zoom("fit-viewport");
      var current = box.getAttribute("data-current");
      if (current) { canvas.addMarker(current, "current-step"); }
      box.setAttribute("data-ready", "true");
    })
    .catch(function () { box.setAttribute("data-ready", "failed"); });
});
// the unit tree: a node's button shows or hides the level below it (htmx fetches that level the first time)
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-toggle-tree]");
  if (!button) { return; }
  var open = button.getAttribute("aria-expanded") !== "true";
  button.setAttribute("aria-expanded", open ? "true" : "false");
  document.getElementById(button.getAttribute("aria-controls")).hidden = !open;
});
