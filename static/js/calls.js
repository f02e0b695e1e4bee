// "Log this call": a tap on a tel: link remembers whom the producer called; when they come back
// to the page (the phone app closes, the tab shows again), the page offers to log the call in one
// more tap. Without JavaScript the link still dials and the log forms still work.
(function () {
  var KEY = "salesculture.call";
  var FRESH_MS = 2 * 60 * 60 * 1000;

  function pending() {
    try { return JSON.parse(sessionStorage.getItem(KEY) || "null"); } catch (e) { return null; }
  }

  function offer() {
    var call = pending();
    var prompt = document.querySelector(".call-prompt");
    if (!call || !prompt || Date.now() - call.at > FRESH_MS) { return; }
    // On a prospect's page the prompt logs for that prospect only.
    var only = prompt.getAttribute("data-prospect");
    if (only && only !== String(call.id)) { return; }
    var pick = prompt.querySelector("input[name=prospect]");
    if (pick) { pick.value = call.id; }
    prompt.querySelector(".call-name").textContent = call.name;
    prompt.hidden = false;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-call-prospect]");
    if (link) {
      sessionStorage.setItem(KEY, JSON.stringify({
        id: link.getAttribute("data-call-prospect"), name: link.getAttribute("data-call-name"), at: Date.now()
      }));
      return;
    }
    if (event.target.closest && event.target.closest(".call-dismiss")) {
      sessionStorage.removeItem(KEY);
      event.target.closest(".call-prompt").hidden = true;
    }
  });
  document.addEventListener("submit", function (event) {
    if (event.target.classList && event.target.classList.contains("call-prompt")) {
      sessionStorage.removeItem(KEY);
    }
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { offer(); }
  });
  window.addEventListener("pageshow", offer);
})();
