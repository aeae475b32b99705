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

// A notice pushed by the server (Web Push, encrypted to this browser): shown as it comes, one
// per tag, so a notice that arrives twice replaces itself.
self.addEventListener("push", (event) => {
  let notice = { title: "Doorstep", body: "", url: "/notifications", tag: undefined };
  try {
    notice = Object.assign(notice, event.data ? event.data.json() : {});
  } catch (_) {
    if (event.data) notice.body = event.data.text();
  }
  event.waitUntil(
    self.registration.showNotification(notice.title, {
      body: notice.body,
      tag: notice.tag,
      icon: "/icons/icon-192.png",
      badge: "/icons/icon-192.png",
      data: { url: notice.url },
    }),
  );
});

// A tap opens the notice's page: in a Doorstep window already open if there is one.
function openNotice(path) {
  const url = new URL(path || "/", self.location.origin);
  if (url.origin !== self.location.origin) return Promise.resolve();
  return self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
    const open = windows.find((w) => new URL(w.url).origin === self.location.origin && "navigate" in w);
    if (!open) return self.clients.openWindow(url.href);
    return open.navigate(url.href).then((w) => (w || open).focus()).catch(() => undefined);
  });
}

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  event.waitUntil(openNotice(event.notification.data && event.notification.data.url));
});
