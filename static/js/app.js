// Small behaviours shared by every page; htmx does the rest.
(function () {
  "use strict";
  // On a phone the nav is a strip that scrolls sideways: keep the current page in view.
  var current = document.querySelector(".nav [aria-current='page']");
  if (current && current.scrollIntoView) {
    current.scrollIntoView({ block: "nearest", inline: "center" });
  }

  // The phone's "More" menu is a <details> (it works without this): Escape or a tap elsewhere
  // closes it, as a menu does.
  var more = document.querySelector(".bn-more");
  if (more) {
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && more.open) {
        more.open = false;
        more.querySelector("summary").focus();
      }
    });
    document.addEventListener("click", function (event) {
      if (more.open && !more.contains(event.target)) more.open = false;
    });
  }

  // Small behaviours the templates ask for with data attributes (the Content-Security-Policy
  // allows no inline handlers): a form that asks before it is sent, a select that sends its form,
  // a read-only field whose text is selected when focused (a link to copy). An htmx form asks
  // with hx-confirm instead: htmx sends it from its own submit listener, before this one.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.form && field.hasAttribute("data-submit-on-change")) field.form.submit();
  });
  document.addEventListener("focusin", function (event) {
    var field = event.target;
    if (field.hasAttribute && field.hasAttribute("data-select-on-focus")) field.select();
  });

  // Escape takes the toasts away too: a keyboard has no tap.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    document.querySelectorAll("#toasts .toast").forEach(function (toast) { toast.remove(); });
  });

  // A response can ask for a toast with the HX-Trigger header: {"toast": {"text": "...", "kind": "win"}}.
  // It goes by itself after five seconds; a tap takes it away at once.
  document.body.addEventListener("toast", function (event) {
    var detail = event.detail || {};
    var box = document.getElementById("toasts");
    if (!box || !detail.text) return;
    var toast = document.createElement("div");
    toast.className = "toast" + (detail.kind ? " toast-" + detail.kind : "");
    // No role of its own: #toasts is the page's polite live region (base.html), and a
    // status inside it would be read twice by some screen readers.
    toast.textContent = detail.text;
    toast.title = "Tap to dismiss";
    toast.addEventListener("click", function () { toast.remove(); });
    box.appendChild(toast);
    setTimeout(function () { toast.remove(); }, 5200);
  });
})();
