// Live updates over /ws/: the page works without this (forms post and reload); with it, new
// messages, typing and notifications appear as they happen, and a reconnect syncs what was missed.
(function () {
  "use strict";
  var list = document.getElementById("messages");
  var form = document.getElementById("send-form");
  var conversation = list ? Number(list.dataset.conversation) : null;
  var me = list ? Number(list.dataset.me) : null;
  var lastSeq = list ? Number(list.dataset.lastSeq) : 0;
  var socket = null, backoff = 1000, typingSent = 0, typingTimer = null;

  function send(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) { socket.send(JSON.stringify(frame)); return true; }
    return false;
  }

  function bump(id, by) {
    var link = document.getElementById(id);
    if (!link) { return; }
    var badge = link.querySelector(".badge");
    if (!badge) { badge = document.createElement("span"); badge.className = "badge"; badge.textContent = "0"; link.appendChild(badge); }
    badge.textContent = String(Number(badge.textContent) + by);
  }

  function showMessage(m) {
    if (m.conversation !== conversation) { if (m.sender !== me) { bump("nav-messages", 1); } return; }
    if (m.seq <= lastSeq) { return; }  // already shown: the database's seq makes duplicates harmless
    if (m.seq > lastSeq + 1) {
      // A push went missing (or two processes delivered out of order): ask for everything after ours.
      var since = {}; since[conversation] = lastSeq; send({type: "sync", since: since}); return;
    }
    var empty = document.getElementById("no-messages");
    if (empty) { empty.remove(); }
    var li = document.createElement("li");
    li.className = "card" + (m.sender === me ? " mine" : "");
    li.dataset.seq = m.seq;
    var who = document.createElement("div");
    who.className = "muted";
    who.textContent = (m.sender === me ? "You" : "New") + " · " + new Date(m.created_at).toTimeString().slice(0, 5);
    var body = document.createElement("div");
    body.textContent = m.body;
    li.appendChild(who); li.appendChild(body);
    list.appendChild(li);
    lastSeq = m.seq;
    if (m.sender !== me && document.visibilityState === "visible") { send({type: "message.read", conversation: conversation, seq: m.seq}); }
  }

  function showNotification(n) {
    bump("nav-notifications", 1);
    var box = document.getElementById("notifications");
    if (!box) { return; }
    var empty = document.getElementById("no-notifications");
    if (empty) { empty.remove(); }
    var card = document.createElement("div");
    card.className = "card";
    if (n.for_member) {
      // Relayed for a member the reader supports: say for whom, as the page does.
      var whom = document.createElement("p");
      whom.className = "muted for-member";
      whom.textContent = (box.dataset.forLabel || "For") + " " + n.for_member.display_name;
      card.appendChild(whom);
    }
    var link = document.createElement(n.url ? "a" : "span");
    if (n.url) { link.href = n.url; }
    link.textContent = n.text;
    card.appendChild(link);
    box.insertBefore(card, box.firstChild);
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + "/ws/");
    socket.onopen = function () {
      backoff = 1000;
      var since = {};
      if (conversation) { since[conversation] = lastSeq; send({type: "sync", since: since}); }
    };
    socket.onmessage = function (event) {
      var frame = JSON.parse(event.data);
      if (frame.type === "message.new") { showMessage(frame.message); }
      else if (frame.type === "notification.new") { showNotification(frame.notification); }
      else if (frame.type === "typing" && frame.conversation === conversation) {
        var el = document.getElementById("typing");
        el.textContent = "Typing…";
        clearTimeout(typingTimer);
        typingTimer = setTimeout(function () { el.textContent = ""; }, 4000);
      }
    };
    socket.onclose = function (event) {
      if (event.code === 4401) { return; }  // logged out: the next page load asks to log in
      setTimeout(connect, backoff);
      backoff = Math.min(backoff * 2, 30000);
    };
  }

  if (form) {
    var body = form.querySelector("textarea");
    var clientId = form.querySelector("[name=client_id]");
    form.addEventListener("submit", function (event) {
      var text = body.value.trim();
      if (!text) { return; }
      if (send({type: "message.send", conversation: conversation, body: text, client_id: clientId.value})) {
        event.preventDefault();
        body.value = "";
        clientId.value = (crypto.randomUUID ? crypto.randomUUID() : String(Date.now() + Math.random())).replace(/-/g, "");
      }
    });
    body.addEventListener("input", function () {
      var now = Date.now();
      if (now - typingSent > 3000) { typingSent = now; send({type: "typing", conversation: conversation}); }
    });
  }
  if ("WebSocket" in window) { connect(); }
})();
