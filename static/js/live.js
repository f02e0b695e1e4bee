// Live updates: every element with data-live-poll="<seconds>" asks its endpoint (hx-get,
// fired by the "livepoll" event) whether what its part of the page shows changed (a team's
// board, the agency's). Polling pauses while
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
    pollers().forEach(function (el) {
      // A poller inside something hidden (a team's rows, closed again) rests until shown.
      if (el.parentElement && el.parentElement.closest("[hidden]")) return;
      window.htmx.trigger(el, "livepoll");
    });
  }

  function loop() {
    poll();
    setTimeout(loop, interval());
  }
  setTimeout(loop, interval());

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) poll();
  });

  // A live swap replaces the board while someone may be reading it: keep each
  // [data-keep-scroll] frame (by id) scrolled where it was, e.g. a wide table on a phone.
  var scrolls = null;
  function rememberScroll() {
    scrolls = {};
    document.querySelectorAll("[data-keep-scroll][id]").forEach(function (el) {
      scrolls[el.id] = [el.scrollLeft, el.scrollTop];
    });
  }
  function restoreScroll() {
    if (!scrolls) return;
    Object.keys(scrolls).forEach(function (id) {
      var el = document.getElementById(id);
      if (el) { el.scrollLeft = scrolls[id][0]; el.scrollTop = scrolls[id][1]; }
    });
    scrolls = null;
  }
  // The poller that asked was swapped out with its partial, so its own afterSwap event does
  // not reach the document: restore on the swap's events wherever they fire.
  document.addEventListener("htmx:afterSwap", restoreScroll);
  document.addEventListener("htmx:afterSettle", restoreScroll);

  function isLivePoll(detail) {
    // detail.elt is the swap target here, not the poller: recognise the poll by its path.
    var path = (detail.pathInfo && detail.pathInfo.requestPath) || "";
    return path.indexOf("/live/") !== -1;
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (!isLivePoll(event.detail)) return;
    if (event.detail.shouldSwap) rememberScroll();
    // A session that ended sends the poll to the login page: reload instead of swapping it in.
    if (xhr && xhr.responseURL && xhr.responseURL.indexOf("/login/") !== -1) {
      event.detail.shouldSwap = false;
      window.location.reload();
    }
    // A failed poll leaves the page as it is; the next one tries again.
    if (xhr && xhr.status >= 400) event.detail.shouldSwap = false;
  });
})();
