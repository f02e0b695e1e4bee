// Installable on a phone, and quick-logs that survive a dead zone.
//
// Registers the service worker (templates/salesculture/sw.js). A one-tap quick-log on My week
// tapped while the phone is offline is kept in IndexedDB with its own client token and sent
// when the phone is back online; the server counts a token once, so a replay (a retry after a
// lost answer) never counts twice. A live region says how many are waiting, then how many were
// sent. Queued taps belong to the person who made them: another person logged in on the same
// phone never sends them. Logging out drops the caches.
(function () {
  "use strict";
  var script = document.getElementById("pwa-script");
  if (!script) return;
  var user = script.getAttribute("data-user") || "";
  var DB = "salesculture-offline";
  var STORE = "quicklogs";

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(script.getAttribute("data-sw"), { scope: "/" })
      .catch(function () { /* no worker (a private window, http): the site works without it */ });
  }

  // --- the queue (IndexedDB) ---------------------------------------------------------------
  function open() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB, 1);
      request.onupgradeneeded = function () { request.result.createObjectStore(STORE, { keyPath: "token" }); };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }
  function run(mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var request = work(tx.objectStore(STORE));
        tx.oncomplete = function () { db.close(); resolve(request ? request.result : undefined); };
        tx.onerror = function () { db.close(); reject(tx.error); };
      });
    });
  }
  function mine() {
    return run("readonly", function (store) { return store.getAll(); }).then(function (items) {
      return (items || []).filter(function (item) { return item.user === user; })
        .sort(function (a, b) { return a.at - b.at; });
    });
  }
  function put(item) { return run("readwrite", function (store) { return store.put(item); }); }
  function remove(token) { return run("readwrite", function (store) { return store.delete(token); }); }

  function newToken() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  // --- what the producer is told ----------------------------------------------------------
  var status = null;
  function say(text) {
    if (!status) {
      status = document.createElement("p");
      status.id = "offline-status";
      status.className = "offline-status";
      status.setAttribute("role", "status");
      status.setAttribute("aria-live", "polite");
      document.body.appendChild(status);
    }
    status.textContent = text;
    status.hidden = !text;
  }
  function plural(n) { return n === 1 ? "1 quick-log" : n + " quick-logs"; }
  function showWaiting() {
    return mine().then(function (items) {
      if (items.length) say(plural(items.length) + " waiting to send" + (navigator.onLine ? "…" : " (you are offline)."));
      return items.length;
    });
  }

  // --- tapping while offline ---------------------------------------------------------------
  function quickLogForm(elt) {
    var form = elt && elt.closest ? elt.closest("form") : null;
    return form && form.closest("#quick-log") && form.querySelector("input[name=client_token]") ? form : null;
  }
  function enqueue(form) {
    var fields = {};
    new FormData(form).forEach(function (value, name) { if (name !== "csrfmiddlewaretoken") fields[name] = value; });
    var item = { token: fields.client_token, user: user, url: form.getAttribute("action"), fields: fields, at: Date.now() };
    // The next tap on this button is another activity: it gets its own token.
    form.querySelector("input[name=client_token]").value = newToken();
    var count = form.querySelector(".quick-count");
    if (count) count.textContent = String(Number(count.textContent || 0) + 1);
    return put(item).then(showWaiting);
  }
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = quickLogForm(event.detail.elt);
    if (!form || navigator.onLine) return;
    event.preventDefault();
    enqueue(form);
  });
  // Online by the phone's account but the request never arrived (or its answer was lost):
  // queued with the token it was sent with, so if it did arrive the replay counts once.
  document.addEventListener("htmx:sendError", function (event) {
    var form = quickLogForm(event.detail.elt);
    if (form) enqueue(form);
  });

  // --- back online --------------------------------------------------------------------------
  function csrf() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; } catch (e) { return ""; }
  }
  var flushing = false;
  function flush() {
    if (flushing || !navigator.onLine || !user) return Promise.resolve();
    flushing = true;
    var sent = 0;
    var answer = "";
    return mine().then(function (items) {
      return items.reduce(function (previous, item) {
        return previous.then(function () {
          return fetch(item.url, {
            method: "POST", body: new URLSearchParams(item.fields), credentials: "same-origin",
            redirect: "manual", headers: { "X-CSRFToken": csrf(), "HX-Request": "true" },
          }).then(function (response) {
            if (response.ok) {
              sent += 1;
              return response.text().then(function (html) { answer = html; return remove(item.token); });
            }
            // 400: refused for good (an activity type retired since); anything else (logged
            // out, a server error) stays queued for the next try.
            if (response.status === 400) return remove(item.token);
          }, function () { /* still no network: keep it */ });
        });
      }, Promise.resolve());
    }).then(function () {
      flushing = false;
      return showWaiting().then(function (waiting) {
        if (sent && !waiting) say(plural(sent) + " sent.");
        if (sent) refreshQuickLog(answer);
      });
    }, function () { flushing = false; });
  }
  // The last answer is what a tap online would have swapped in: the buttons' counts and, out
  // of band, the week's commitments, comparison and wins.
  function refreshQuickLog(html) {
    if (!window.htmx || !document.getElementById("quick-log")) return;
    if (html && window.htmx.swap) {
      window.htmx.swap("#quick-log", html, { swapStyle: "outerHTML" });
    } else {
      window.htmx.ajax("GET", window.location.pathname + window.location.search,
        { target: "#quick-log", select: "#quick-log", swap: "outerHTML" });
    }
  }
  window.addEventListener("online", function () { flush(); });
  window.addEventListener("offline", function () { showWaiting(); });
  if ("indexedDB" in window && user) {
    showWaiting().then(function (waiting) { if (waiting) flush(); });
  }

  // --- logging out --------------------------------------------------------------------------
  // The server also answers the logout with Clear-Site-Data; this covers browsers without it.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var action = form.getAttribute && form.getAttribute("action");
    if (!action || !/\/logout\/$/.test(action)) return;
    if (window.caches) caches.keys().then(function (names) { names.forEach(function (name) { caches.delete(name); }); });
    if (navigator.serviceWorker && navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage({ type: "logout" });
    }
  });
})();
