// "Turn on notifications on this phone": subscribes this browser to Web Push with the server's VAPID key and
// saves the subscription through the API; "Turn off" removes it. Without JavaScript the page says so instead.
(function () {
  "use strict";
  var box = document.getElementById("push-control");
  if (!box) return;
  var on = document.getElementById("push-on");
  var off = document.getElementById("push-off");
  var status = document.getElementById("push-status");
  var saved = "timebank-push-subscription";

  function say(text) { status.textContent = text; }
  function csrf() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function keyBytes(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(padded);
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }
  function api(method, url, body) {
    return fetch(url, {
      method: method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
      body: body ? JSON.stringify(body) : undefined,
    }).then(function (response) {
      if (!response.ok && response.status !== 404) throw new Error(String(response.status));
      return response.status === 204 || response.status === 404 ? null : response.json();
    });
  }
  function show(subscribed) {
    on.hidden = subscribed;
    off.hidden = !subscribed;
    say(subscribed ? box.dataset.textOn : box.dataset.textOff);
  }

  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    say(box.dataset.textUnsupported);
    return;
  }
  navigator.serviceWorker.ready.then(function (registration) {
    registration.pushManager.getSubscription().then(function (subscription) { show(!!subscription); });

    on.addEventListener("click", function () {
      on.disabled = true;
      Notification.requestPermission()
        .then(function (permission) {
          if (permission !== "granted") throw new Error("denied");
          return api("GET", box.dataset.keyUrl);
        })
        .then(function (key) {
          return registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(key.public_key) });
        })
        .then(function (subscription) { return api("POST", box.dataset.subscriptionsUrl, subscription.toJSON()); })
        .then(function (saved_) {
          localStorage.setItem(saved, String(saved_.id));
          show(true);
        })
        .catch(function () { say(box.dataset.textFailed); })
        .then(function () { on.disabled = false; });
    });

    off.addEventListener("click", function () {
      off.disabled = true;
      var id = localStorage.getItem(saved);
      registration.pushManager.getSubscription()
        .then(function (subscription) { return subscription ? subscription.unsubscribe() : true; })
        .then(function () { return id ? api("DELETE", box.dataset.subscriptionsUrl + id + "/") : null; })
        .then(function () {
          localStorage.removeItem(saved);
          show(false);
        })
        .catch(function () { say(box.dataset.textFailed); })
        .then(function () { off.disabled = false; });
    });
  });
})();
