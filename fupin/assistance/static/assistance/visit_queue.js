// The phone's visit queue: a visit is first kept in IndexedDB (with its photos), then sent; with no signal it
// waits and goes when the phone is back online. Each visit carries its own number (client_uuid), so a resend —
// after an answer lost on a poor signal — gets the visit already recorded instead of a second one.
(function () {
  "use strict";
  var DB = "fupin-visits", STORE = "queue", KEEP_SENT_MS = 3 * 24 * 3600 * 1000;
  var LABELS = {pending: "待发送", sending: "发送中", sent: "已发送", failed: "失败"};
  var sending = false, again = false;

  function open() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB, 1);
      request.onupgradeneeded = function () { request.result.createObjectStore(STORE, {keyPath: "uuid"}); };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function tx(mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(STORE, mode), result;
        var store = t.objectStore(STORE);
        result = work(store);
        t.oncomplete = function () { resolve(result && "result" in result ? result.result : result); };
        t.onerror = function () { reject(t.error); };
      });
    });
  }

  function all() { return tx("readonly", function (s) { return s.getAll(); }); }
  function put(record) { return tx("readwrite", function (s) { s.put(record); }); }
  function drop(uuid) { return tx("readwrite", function (s) { s.delete(uuid); }); }

  function newUuid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var b = crypto.getRandomValues(new Uint8Array(16));  // plain HTTP on an intranet has no randomUUID
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function csrf() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) { return decodeURIComponent(match[1]); }
    var input = document.querySelector("[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function send(record) {
    record.state = "sending"; record.error = "";
    return put(record).then(render).then(function () {
      var body = new FormData();
      Object.keys(record.fields).forEach(function (k) { body.append(k, record.fields[k]); });
      body.append("client_uuid", record.uuid);
      record.photos.forEach(function (p) { body.append("photos", p.blob, p.name); });
      return fetch(record.url, {method: "POST", body: body, credentials: "same-origin", redirect: "manual",
                                headers: {"X-CSRFToken": csrf(), "Accept": "application/json"}});
    }).then(function (response) {
      if (response.type === "opaqueredirect" || response.status === 401) {
        return {state: "failed", error: "登录已过期，请重新登录后点“重新发送”"};
      }
      return response.json().then(function (data) {
        if (response.ok) { return {state: "sent", visit: data.visit, sent: Date.now()}; }
        return {state: "failed", error: data.error || ("服务器拒绝（" + response.status + "）")};
      }, function () { return {state: "failed", error: "服务器应答异常（" + response.status + "）"}; });
    }, function () {
      return {state: "pending", error: "没有网络，恢复信号后自动发送"};
    }).then(function (outcome) {
      Object.assign(record, {error: ""}, outcome);
      return put(record);
    });
  }

  function sendAll(force) {
    if (!navigator.onLine) { return render(); }
    if (sending) { again = true; return Promise.resolve(); }
    sending = true; again = false;
    return all().then(function (records) {
      var queue = records.filter(function (r) { return r.state === "pending" || r.state === "sending" || force === r.uuid; });
      return queue.reduce(function (chain, r) { return chain.then(function () { return send(r); }); }, Promise.resolve());
    }).catch(function () {}).then(function () {
      sending = false;
      return again ? sendAll() : render();  // a visit saved while the others were going
    });
  }

  function render() {
    return all().then(function (records) {
      var now = Date.now();
      records.filter(function (r) { return r.state === "sent" && now - r.sent > KEEP_SENT_MS; })
        .forEach(function (r) { drop(r.uuid); });
      records.sort(function (a, b) { return b.created - a.created; });
      document.querySelectorAll("[data-visit-queue]").forEach(function (box) {
        var list = box.querySelector("ul");
        list.textContent = "";
        box.classList.toggle("d-none", records.length === 0);
        records.forEach(function (r) {
          var item = document.createElement("li");
          item.className = "list-group-item small d-flex flex-wrap align-items-center gap-2";
          item.dataset.testid = "queued-visit";
          item.dataset.state = r.state;
          var text = document.createElement("span");
          text.textContent = r.label + " · " + r.fields.date + " · " + r.fields.content.slice(0, 30) +
            (r.photos.length ? " · " + r.photos.length + "张照片" : "");
          var badge = document.createElement("span");
          badge.className = "badge " + {pending: "text-bg-secondary", sending: "text-bg-info", sent: "text-bg-success",
                                        failed: "text-bg-danger"}[r.state];
          badge.dataset.testid = "queue-state";
          badge.textContent = LABELS[r.state] + (r.error ? "：" + r.error : "");
          item.appendChild(badge); item.appendChild(text);
          if (r.state === "failed" || r.state === "sent") {
            var again = document.createElement("button");
            again.type = "button"; again.className = "btn btn-sm btn-outline-secondary ms-auto";
            again.textContent = "重新发送"; again.dataset.testid = "resend";
            again.addEventListener("click", function () { sendAll(r.uuid); });
            item.appendChild(again);
          }
          list.appendChild(item);
        });
      });
    });
  }

  function enqueue(form) {
    var fields = {};
    ["helper", "date", "content", "latitude", "longitude"].forEach(function (name) {
      var input = form.elements[name];
      fields[name] = input ? input.value : "";
    });
    var input = form.elements.photos;
    var photos = Array.prototype.map.call(input && input.files ? input.files : [], function (file) {
      return {name: file.name, type: file.type, blob: file};
    });
    var record = {uuid: newUuid(), url: form.dataset.syncUrl, label: form.dataset.household, fields: fields,
                  photos: photos, state: "pending", error: "", created: Date.now()};
    return put(record).then(function () { return record; });
  }

  var form = document.querySelector("form[data-sync-url]");
  if (form && window.indexedDB) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!form.elements.content.value.trim()) { form.elements.content.focus(); return; }
      enqueue(form).then(function () {
        form.elements.content.value = "";
        if (form.elements.photos) { form.elements.photos.value = ""; }
        var note = document.getElementById("queue-note");
        if (note) { note.textContent = navigator.onLine ? "已保存，正在发送…" : "已保存在手机上，恢复信号后自动发送"; }
        return sendAll();
      }, function () { form.submit(); });  // no storage (private mode): post the form as before
    });
  }
  window.addEventListener("online", function () { sendAll(); });
  window.addEventListener("offline", render);
  window.fupinVisitQueue = {sendAll: sendAll, render: render, resend: function (uuid) { return sendAll(uuid); }};
  if (window.indexedDB) { sendAll(); }
})();
