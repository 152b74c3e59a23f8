// Review pages: j/k to the next/previous page (on the index: move the selection, Enter opens it),
// the legend toggles a rule's highlights inside the (script-less, sandboxed) original page frame.
(function () {
  "use strict";
  var body = document.body;
  var frame = document.getElementById("rv-frame");

  function frameDoc() {
    try { return frame && frame.contentDocument; } catch (e) { return null; }
  }

  // --- index: row selection -------------------------------------------------------------------
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr[data-href]"));
  var selected = -1;
  function select(i) {
    if (!rows.length) return;
    if (selected >= 0) rows[selected].classList.remove("rv-selected");
    selected = Math.max(0, Math.min(rows.length - 1, i));
    rows[selected].classList.add("rv-selected");
    rows[selected].scrollIntoView({block: "nearest"});
  }

  function onKey(event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var tag = (event.target && event.target.tagName || "").toLowerCase();
    if (tag === "input" && event.target.type !== "checkbox" || tag === "textarea" || tag === "select") return;
    if (body.classList.contains("rv-index")) {
      if (event.key === "j") select(selected + 1);
      else if (event.key === "k") select(selected - 1);
      else if (event.key === "Enter" && selected >= 0) location.href = rows[selected].getAttribute("data-href");
      else return;
    } else {
      var target = event.key === "j" ? body.getAttribute("data-next")
                 : event.key === "k" ? body.getAttribute("data-prev")
                 : event.key === "i" ? body.getAttribute("data-index") : null;
      if (!target) return;
      location.href = target;
    }
    event.preventDefault();
  }
  document.addEventListener("keydown", onKey);

  // --- page view: legend toggles ----------------------------------------------------------------
  function setRule(rule, on) {
    var cls = "rv-off-" + rule;
    body.classList.toggle(cls, !on);
    var doc = frameDoc();
    if (doc && doc.documentElement) doc.documentElement.classList.toggle(cls, !on);
  }
  var boxes = Array.prototype.slice.call(document.querySelectorAll("#rv-legend input[data-rule]"));
  boxes.forEach(function (box) {
    box.addEventListener("change", function () { setRule(box.getAttribute("data-rule"), box.checked); });
  });

  function onFrameLoad() {
    // Re-apply the legend (a reload resets the frame), and let j/k work while the frame has focus.
    boxes.forEach(function (box) { setRule(box.getAttribute("data-rule"), box.checked); });
    var doc = frameDoc();
    if (doc) doc.addEventListener("keydown", onKey);
  }
  if (frame) {
    frame.addEventListener("load", onFrameLoad);
    if (frameDoc() && frameDoc().readyState === "complete") onFrameLoad();
  }

  // Clicking a removal in the item panel shows it in the original.
  document.addEventListener("click", function (event) {
    var li = event.target.closest && event.target.closest("li[data-entry]");
    var doc = frameDoc();
    if (!li || !doc) return;
    var mark = doc.querySelector('mark[data-entry="' + li.getAttribute("data-entry") + '"]');
    if (!mark) return;
    mark.scrollIntoView({block: "center"});
    mark.classList.add("rv-flash");
    setTimeout(function () { mark.classList.remove("rv-flash"); }, 1200);
  });
})();
