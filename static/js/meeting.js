// The meeting screen: keyboard driving, ticking timers, and polling that never clobbers typing.
(function () {
  "use strict";

  function typing() {
    var el = document.activeElement;
    return !!el && (el.matches("input, textarea, select") || el.isContentEditable);
  }

  // Polls ([data-poll-when-idle]) skip while someone types or has unsent input in a form on the
  // screen. Done here rather than as an hx-trigger filter, which htmx would have to eval.
  function shouldPoll() {
    if (typing()) return false;
    return !document.querySelector("form[data-dirty]");
  }
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail && event.detail.elt;
    // Only the poller's own request: a form inside it sends its requests through it too.
    if (elt && elt.hasAttribute("data-poll-when-idle") && !shouldPoll()) event.preventDefault();
  });
  document.addEventListener("input", function (event) {
    var form = event.target.closest && event.target.closest("form");
    if (form && !form.classList.contains("rating")) form.setAttribute("data-dirty", "1");
  });
  document.addEventListener("submit", function (event) {
    event.target.removeAttribute("data-dirty");
  }, true);

  // The commitment form shows only the fields of the chosen kind.
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input.name === "kind" && input.closest(".commit-form")) {
      input.closest(".commit-form").setAttribute("data-kind", input.value);
    }
  });

  function click(id) {
    var button = document.getElementById(id);
    if (button) button.click();
    return !!button;
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || typing()) return;
    var handled = false;
    if ((event.key === "ArrowRight" && event.shiftKey) || event.key === "PageDown") {
      handled = click("move-section");
    } else if (event.key === "ArrowRight" || event.key === " ") {
      handled = click("move-next");
    } else if (event.key === "ArrowLeft" || event.key === "PageUp") {
      handled = click("move-prev");
    } else if ((event.key === "p" || event.key === "P") && document.querySelector("[data-autoplay]")) {
      toggleReel();
      handled = true;
    } else if (event.key === "f" || event.key === "F") {
      toggleFullScreen();
      handled = true;
    }
    if (handled) event.preventDefault();
  });

  // The wins reel can play itself on the driver's device: it presses "next" every few
  // seconds, so every screen follows as usual, and stops at the last win.
  var REEL_SECONDS = 6;
  var reelTimer = null;
  function reelButton() {
    var button = document.querySelector("[data-autoplay]");
    if (button) button.textContent = reelTimer ? "❚❚ Pause reel" : "▶ Play reel";
  }
  function stopReel() {
    clearInterval(reelTimer);
    reelTimer = null;
    reelButton();
  }
  function stepReel() {
    var stage = document.getElementById("meeting-stage");
    if (!stage || !stage.classList.contains("section-wins") || stage.hasAttribute("data-last-win")) {
      stopReel();
      return;
    }
    if (!document.querySelector("form[data-dirty]")) click("move-next");
  }
  function toggleReel() {
    if (reelTimer) { stopReel(); return; }
    reelTimer = setInterval(stepReel, REEL_SECONDS * 1000);
    reelButton();
  }
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-autoplay]")) toggleReel();
  });
  document.addEventListener("htmx:afterSettle", reelButton);

  function toggleFullScreen() {
    if (document.fullscreenElement) {
      document.exitFullscreen();
    } else if (document.documentElement.requestFullscreen) {
      document.documentElement.requestFullscreen().catch(function () {});
    }
  }
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-fullscreen]")) toggleFullScreen();
  });

  // Messages float over the TV screen (meeting.css): they leave after a while, or on a click.
  var FLASH_SECONDS = 12;
  document.querySelectorAll("body.tv .flash").forEach(function (flash) {
    setTimeout(function () { flash.remove(); }, FLASH_SECONDS * 1000);
    flash.addEventListener("click", function () { flash.remove(); });
  });

  // A kiosk whose link was revoked (410) or is unknown (404) clears itself to the page's
  // "revoked" message: nothing of the team stays on the wall, and with the polling element
  // gone htmx polls no more.
  function clearRevokedKiosk(event) {
    var screen = document.getElementById("kiosk-screen");
    var detail = event.detail || {};
    var status = detail.xhr ? detail.xhr.status : 0;
    if (!screen || detail.elt !== screen || (status !== 404 && status !== 410)) return;
    detail.shouldSwap = false;
    var template = document.getElementById("kiosk-revoked-template");
    var message = document.createElement("div");
    if (template) {
      message.appendChild(template.content.cloneNode(true));
    } else {
      message.textContent = "This screen's link was revoked.";
    }
    screen.replaceWith(message);
    document.title = "Link revoked · Sales Culture";
  }
  document.addEventListener("htmx:beforeSwap", clearRevokedKiosk);
  document.addEventListener("htmx:responseError", clearRevokedKiosk);

  // Timers tick locally from the elapsed seconds the server rendered; every swap re-bases them.
  function pad(n) { return n < 10 ? "0" + n : "" + n; }
  function state(elapsed, target) {
    if (target && elapsed > target) return "timer-over";
    if (target && elapsed >= target * 0.8) return "timer-near";
    return "timer-ok";
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll(".timer[data-running]").forEach(function (el) {
      if (!el.dataset.t0) el.dataset.t0 = String(now);
      var elapsed = parseInt(el.dataset.elapsed, 10) + Math.floor((now - parseInt(el.dataset.t0, 10)) / 1000);
      var text = Math.floor(elapsed / 60) + ":" + pad(elapsed % 60);
      if (el.textContent !== text) el.textContent = text;
      var box = el.closest("[data-timer-box]");
      if (box) {
        var cls = state(elapsed, parseInt(el.dataset.target, 10));
        if (!box.classList.contains(cls)) {
          box.classList.remove("timer-ok", "timer-near", "timer-over");
          box.classList.add(cls);
        }
      }
    });
  }
  setInterval(tick, 1000);
})();
