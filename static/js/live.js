// Live updates: every element with data-live-poll="<seconds>" asks its endpoint (hx-get,
// fired by the "livepoll" event) whether the agency's scorecards changed. Polling pauses while
// the tab is hidden and catches up at once when it is shown again. An unchanged poll answers
// 204, which htmx does not swap; a changed one swaps the partial that carries the next poller.
(function () {
  "use strict";
  if (window.salesCultureLive) return;
  window.salesCultureLive = true;

  function pollers() { return document.querySelectorAll("[data-live-poll]"); }

  function interval() {
    var first = pollers()[0];
    var seconds = first ? parseFloat(first.getAttribute("data-live-poll")) : 10;
    return Math.max(1, seconds || 10) * 1000;
  }

  function poll() {
    if (document.hidden || !window.htmx) return;
    pollers().forEach(function (el) { window.htmx.trigger(el, "livepoll"); });
  }

  function loop() {
    poll();
    setTimeout(loop, interval());
  }
  setTimeout(loop, interval());

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) poll();
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (!event.detail.elt || !event.detail.elt.hasAttribute("data-live-poll")) return;
    // A session that ended sends the poll to the login page: reload instead of swapping it in.
    if (xhr && xhr.responseURL && xhr.responseURL.indexOf("/login/") !== -1) {
      event.detail.shouldSwap = false;
      window.location.reload();
    }
    // A failed poll leaves the page as it is; the next one tries again.
    if (xhr && xhr.status >= 400) event.detail.shouldSwap = false;
  });
})();
