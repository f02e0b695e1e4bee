// Small behaviours shared by every page; htmx does the rest.
(function () {
  "use strict";
  // On a phone the nav is a strip that scrolls sideways: keep the current page in view.
  var current = document.querySelector(".nav [aria-current='page']");
  if (current && current.scrollIntoView) {
    current.scrollIntoView({ block: "nearest", inline: "center" });
  }

  // A response can ask for a toast with the HX-Trigger header: {"toast": {"text": "...", "kind": "win"}}.
  document.body.addEventListener("toast", function (event) {
    var detail = event.detail || {};
    var box = document.getElementById("toasts");
    if (!box || !detail.text) return;
    var toast = document.createElement("div");
    toast.className = "toast" + (detail.kind ? " toast-" + detail.kind : "");
    toast.setAttribute("role", "status");
    toast.textContent = detail.text;
    box.appendChild(toast);
    setTimeout(function () { toast.remove(); }, 5200);
  });
})();
