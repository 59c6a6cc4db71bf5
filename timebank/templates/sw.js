// Offline page for when the network drops; everything else goes to the network.
const CACHE = "timebank-v1";
self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(["/offline/"])));
  self.skipWaiting();
});
self.addEventListener("fetch", (event) => {
  if (event.request.mode !== "navigate") return;
  event.respondWith(fetch(event.request).catch(() => caches.match("/offline/")));
});
{% load i18n static %}
// Web Push: a notification from the time bank, shown even when the app is closed. Its tag is the
// notification's id, so a message the server had to send twice (after a crash) shows once.
self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (e) {
    data = {};
  }
  const notification = data.notification || {};
  {% translate "Time bank" as push_title %}{% translate "You have a new notification." as push_fallback %}
  event.waitUntil(
    self.registration.showNotification("{{ push_title|escapejs }}", {
      body: notification.text || "{{ push_fallback|escapejs }}",
      tag: "notification-" + (notification.id || data.delivery || ""),
      icon: "{% static 'icon.svg' %}",
      data: { url: notification.url || "/notifications/" },
    }),
  );
});
self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = new URL((event.notification.data && event.notification.data.url) || "/notifications/", self.location.origin);
  if (target.origin !== self.location.origin) return;
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      for (const client of windows) {
        if (client.url === target.href && "focus" in client) return client.focus();
      }
      return self.clients.openWindow(target.href);
    }),
  );
});
