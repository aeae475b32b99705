// Doorstep's service worker. It keeps this release's front end and an offline page, so the
// app starts from the home screen at once and says plainly when there is no signal instead
// of showing the browser's error. Pages themselves always come from the network: a deal seen
// offline could be hours old and mislead the agent. The server writes VERSION and FILES in;
// a new release changes them, so the browser installs this worker again, which takes over
// at once and drops the previous release's files.
const VERSION = "__VERSION__";
const FILES = __FILES__;
const OFFLINE = "/offline.html";
const CACHE = "doorstep-" + VERSION;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll(FILES)).then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((key) => key.startsWith("doorstep-") && key !== CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(() => caches.match(OFFLINE)));
    return;
  }
  if (FILES.includes(url.pathname)) {
    event.respondWith(caches.match(url.pathname).then((cached) => cached || fetch(request)));
  }
});
