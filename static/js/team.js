// The whole-agency board: each team's rows open under the team's line. htmx fetches them the
// first time ("Show rows" carries hx-get, once); from then on this only shows and hides them.
// Without JavaScript the same link opens the team's own board.
(function () {
  "use strict";
  if (window.salesCultureTeamRows) return;
  window.salesCultureTeamRows = true;

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest && event.target.closest("[data-rows-toggle]");
    if (!toggle) return;
    event.preventDefault();
    var rows = document.getElementById(toggle.getAttribute("aria-controls"));
    if (!rows) return;
    var open = toggle.getAttribute("aria-expanded") !== "true";
    rows.hidden = !open;
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    var label = toggle.querySelector("[data-rows-label]");
    if (label) label.textContent = open ? "Hide" : "Show";
    // Rows opened again catch up at once: their poller rests while they are hidden.
    var poller = open && window.htmx && rows.querySelector("[data-live-poll]");
    if (poller) window.htmx.trigger(poller, "livepoll");
  });
})();
