// Doorstep's service worker. It keeps this release's front end and an offline page, so the
// app starts from the home screen at once and says plainly when there is no signal instead
// of showing the browser's error. Pages themselves always come from the network: a deal seen
// offline could be hours old and mislead the agent. The server writes VERSION and FRONT in;
// a new release changes them, so the browser installs this worker again, which takes over
// at once and drops the previous release's files.
const VERSION = "__VERSION__";
const FRONT = __FRONT__;
const OFFLINE = "/offline.html";
const ALWAYS = [OFFLINE, "/favicon.svg"];
const CACHE = "doorstep-" + VERSION;

// A phone short of storage refuses to keep the front end (megabytes; Chromium refuses even
// with gigabytes free on a nearly full disk). The worker installs all the same, or the phone
// would lose notices and the offline page with it: the offline page is kept first, the front
// end if there is room, and whatever is not kept comes from the network as usual.
self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(ALWAYS).then(() => cache.addAll(FRONT)))
      .catch((err) => console.warn("Doorstep keeps less offline: " + err))
      .then(() => self.skipWaiting()),
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
    event.respondWith(fetch(request).catch(() => caches.match(OFFLINE).then((page) => page || Response.error())));
    return;
  }
  if (FRONT.includes(url.pathname) || ALWAYS.includes(url.pathname)) {
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
