// cables: small conveniences on top of pages that work without JavaScript.
// "/" focuses the query box; Escape leaves it.
(function () {
  "use strict";
  document.addEventListener("keydown", function (ev) {
    var box = document.querySelector("input[name=q]");
    if (!box) return;
    var t = ev.target;
    var typing = t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
    if (ev.key === "/" && !typing && !ev.ctrlKey && !ev.metaKey && !ev.altKey) {
      ev.preventDefault();
      box.focus();
      box.select();
    } else if (ev.key === "Escape" && t === box) {
      box.blur();
    }
  });
})();
