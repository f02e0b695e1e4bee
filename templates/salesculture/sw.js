// Sales Culture's service worker (served from /sw.js so its scope is the whole site).
// It keeps the shell (static CSS, JS, icons) and an offline page. It never stores a page of a
// logged-in person: those are fetched from the network every time (one producer's week must
// not be shown to the next person on a shared phone). Quick-logs tapped while offline are
// queued by the page itself (static/js/pwa.js) in IndexedDB and sent when back online.
"use strict";
var CACHE = "salesculture-shell-{{ version }}";
var SHELL = {{ shell|safe }};
var STATIC_PREFIX = {{ static_prefix|safe }};
var OFFLINE_URL = {{ offline_url|safe }};

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(SHELL); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) { return name !== CACHE; })
      .map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;  // posts go to the network; the page queues quick-logs
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.indexOf(STATIC_PREFIX) === 0) {
    // The shell: from the cache when there, else the network (and keep a copy).
    event.respondWith(caches.match(request).then(function (cached) {
      return cached || fetch(request).then(function (response) {
        if (response.ok) {
          var copy = response.clone();
          caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
        }
        return response;
      });
    }));
    return;
  }
  if (request.mode === "navigate") {
    // Pages always from the network; the offline page only when there is none.
    event.respondWith(fetch(request).catch(function () { return caches.match(OFFLINE_URL); }));
  }
});

// Logging out: drop everything this worker kept.
self.addEventListener("message", function (event) {
  if (event.data && event.data.type === "logout") {
    event.waitUntil(caches.keys().then(function (names) {
      return Promise.all(names.map(function (name) { return caches.delete(name); }));
    }));
  }
});
