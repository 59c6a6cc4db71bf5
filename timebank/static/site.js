// Every page: the service worker (the offline page) and, when logged in, the one live socket (/ws/).
// A file, not an inline script, so the Content-Security-Policy allows scripts from this site only.
// Without JavaScript every page still works: forms post and pages reload.
(function () {
  "use strict";
  var script = document.currentScript;
  var data = script ? script.dataset : {};
  if (data.serviceWorker && "serviceWorker" in navigator) { navigator.serviceWorker.register(data.serviceWorker); }

  // Skills: the search box filters as you type (without JavaScript its Search button asks the server).
  var search = document.getElementById("skill-search");
  if (search) {
    search.addEventListener("input", function () {
      var words = search.value.trim().toLowerCase();
      document.querySelectorAll("details.card").forEach(function (group) {
        var title = group.querySelector("summary").textContent.toLowerCase();
        var hits = 0;
        group.querySelectorAll("label.choice").forEach(function (label) {
          var hit = !words || title.indexOf(words) >= 0 || label.textContent.toLowerCase().indexOf(words) >= 0;
          label.hidden = !hit;
          if (hit) { hits += 1; }
        });
        group.hidden = hits === 0;
        if (words) { group.open = hits > 0; }
      });
    });
  }
  if (!data.live || !("WebSocket" in window)) { return; }

  var me = Number(data.me);
  var list = document.getElementById("messages");  // the conversation being read, if any
  var form = document.getElementById("send-form");
  var conversation = list ? Number(list.dataset.conversation) : null;
  var lastSeq = list ? Number(list.dataset.lastSeq) : 0;
  var names = {};
  document.querySelectorAll("[data-person]").forEach(function (el) { names[el.dataset.person] = el.textContent; });
  var socket = null, backoff = 1000, typingSent = 0, typingTimer = null;

  function send(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) { socket.send(JSON.stringify(frame)); return true; }
    return false;
  }

  // Badges: the count inside `#id .badge .count`; hidden at zero.
  function bump(id, by) {
    var badge = document.querySelector("#" + id + " .badge");
    if (!badge) { return; }
    var count = badge.querySelector(".count");
    var n = Math.max(0, Number(count.textContent) + by);
    count.textContent = String(n);
    badge.hidden = n === 0;
  }

  function clock(iso) { return new Date(iso).toTimeString().slice(0, 5); }

  function showMessage(m) {
    if (m.conversation !== conversation) {
      if (m.sender !== me) { bump("nav-messages", 1); bumpConversation(m.conversation); }
      return;
    }
    if (m.seq <= lastSeq) { return; }  // already shown: the database's seq makes duplicates harmless
    if (m.seq > lastSeq + 1) {
      // A push went missing: ask for everything after ours.
      var since = {}; since[conversation] = lastSeq; send({type: "sync", since: since}); return;
    }
    var empty = document.getElementById("no-messages");
    if (empty) { empty.remove(); }
    var li = document.createElement("li");
    li.className = "card" + (m.sender === me ? " mine" : "");
    li.dataset.seq = m.seq;
    var who = document.createElement("div");
    who.className = "muted";
    who.textContent = (m.sender === me ? data.you : (names[m.sender] || "")) + " · " + clock(m.created_at);
    var body = document.createElement("div");
    body.textContent = m.body;
    li.appendChild(who); li.appendChild(body);
    list.appendChild(li);
    lastSeq = m.seq;
    if (m.sender !== me) {
      typingClear();
      if (document.visibilityState === "visible") { send({type: "message.read", conversation: conversation, seq: m.seq}); }
    }
  }

  // The conversations list: a conversation with news rises to the top and says so.
  function bumpConversation(id) {
    var item = document.querySelector("[data-conversation-item='" + id + "']");
    if (!item) { return; }
    item.classList.add("attention");
    item.parentNode.insertBefore(item, item.parentNode.firstChild);
  }

  function showNotification(n) {
    // The page it points at is the one being read: nothing new to see.
    if (n.url && n.url === location.pathname) { return; }
    bump("nav-notifications", 1);
    var box = document.getElementById("notifications");
    if (!box) { return; }
    var empty = document.getElementById("no-notifications");
    if (empty) { empty.remove(); }
    var item = document.createElement("li");
    item.className = "card attention";
    if (n.for_member) {
      // Relayed for a member the reader supports: say for whom, as the page does.
      var whom = document.createElement("p");
      whom.className = "muted for-member";
      whom.textContent = (box.dataset.forLabel || "For") + " " + n.for_member.display_name;
      item.appendChild(whom);
    }
    var link = document.createElement(n.url ? "a" : "span");
    if (n.url) { link.href = n.url; }
    link.textContent = n.text;
    item.appendChild(link);
    box.insertBefore(item, box.firstChild);
  }

  // Exchange cards and pages: say that it changed, with the way to see how.
  function showExchange(x) {
    document.querySelectorAll("[data-exchange='" + x.id + "']").forEach(function (el) {
      var note = el.querySelector(".live-note");
      if (note) { note.hidden = false; }
      el.classList.add("attention");
    });
  }

  function typingClear() {
    var el = document.getElementById("typing");
    if (el) { el.textContent = ""; }
    clearTimeout(typingTimer);
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + "/ws/");
    socket.onopen = function () {
      backoff = 1000;
      if (conversation) { var since = {}; since[conversation] = lastSeq; send({type: "sync", since: since}); }
    };
    socket.onmessage = function (event) {
      var frame = JSON.parse(event.data);
      if (frame.type === "message.new") { showMessage(frame.message); }
      else if (frame.type === "notification.new") { showNotification(frame.notification); }
      else if (frame.type === "exchange.updated") { showExchange(frame.exchange); }
      else if (frame.type === "typing" && frame.conversation === conversation && frame.user !== me) {
        var el = document.getElementById("typing");
        el.textContent = (names[frame.user] ? names[frame.user] + ": " : "") + data.typing;
        clearTimeout(typingTimer);
        typingTimer = setTimeout(typingClear, 4000);
      }
    };
    socket.onclose = function (event) {
      if (event.code === 4401) { return; }  // logged out: the next page load asks to log in
      setTimeout(connect, backoff);
      backoff = Math.min(backoff * 2, 30000);
    };
  }

  if (form && conversation) {
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
  connect();
})();
