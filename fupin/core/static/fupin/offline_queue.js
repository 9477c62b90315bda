// The phone's offline queue, for any form the phone fills away from a signal (走访 visits, 入户问卷 surveys): a
// record is first kept in IndexedDB (with its files), then sent; with no signal it waits and goes when the phone is
// back online. Each record carries its own number (client_uuid), so a resend — after an answer lost on a poor
// signal — gets the record already made instead of a second one.
//
// The page declares it with data attributes (no inline script under the CSP):
//   <form data-sync-url="…" data-queue-label="王五户" data-queue-summary="date content" data-queue-clear="content photos">
//     every named field is kept (files as blobs); the summary fields show in the list; the cleared ones are
//     emptied after saving (all of them when data-queue-clear is absent)
//   <div data-offline-queue data-queue-db="fupin-visits" data-queue-item="queued-visit"><ul></ul></div>
//     where the queue is listed; the database name separates one kind of record from another
(function () {
  "use strict";
  var STORE = "queue", KEEP_SENT_MS = 3 * 24 * 3600 * 1000;
  var LABELS = {pending: "待发送", sending: "发送中", sent: "已发送", failed: "失败"};
  var BADGES = {pending: "text-bg-secondary", sending: "text-bg-info", sent: "text-bg-success", failed: "text-bg-danger"};
  var declared = document.querySelector("[data-queue-db]");
  if (!declared) { return; }
  var DB = declared.dataset.queueDb, ITEM = declared.dataset.queueItem || "queued-record";
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
        result = work(t.objectStore(STORE));
        t.oncomplete = function () { resolve(result && "result" in result ? result.result : result); };
        t.onerror = function () { reject(t.error); };
      });
    });
  }

  // A visit queued by the earlier visit-only script (fields as an object, photos apart) is read in today's shape.
  function upgrade(r) {
    if (Array.isArray(r.fields)) { return r; }
    r.summary = [r.fields.date, r.fields.content].filter(Boolean);
    r.fields = Object.keys(r.fields).map(function (k) { return [k, r.fields[k]]; });
    r.files = (r.photos || []).map(function (p) { return {field: "photos", name: p.name, type: p.type, blob: p.blob}; });
    delete r.photos;
    return r;
  }

  function all() {
    return tx("readonly", function (s) { return s.getAll(); }).then(function (rows) { return rows.map(upgrade); });
  }
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
      record.fields.forEach(function (pair) { body.append(pair[0], pair[1]); });
      body.append("client_uuid", record.uuid);
      record.files.forEach(function (f) { body.append(f.field, f.blob, f.name); });
      return fetch(record.url, {method: "POST", body: body, credentials: "same-origin", redirect: "manual",
                                headers: {"X-CSRFToken": csrf(), "Accept": "application/json"}});
    }).then(function (response) {
      if (response.type === "opaqueredirect" || response.status === 401) {
        return {state: "failed", error: "登录已过期，请重新登录后点“重新发送”"};
      }
      return response.json().then(function (data) {
        if (response.ok) { return {state: "sent", answer: data, sent: Date.now()}; }
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
      return again ? sendAll() : render();  // a record saved while the others were going
    });
  }

  function summary(r) {
    var values = r.summary.map(function (text) { return text.slice(0, 30); });
    return [r.label].concat(values).join(" · ") + (r.files.length ? " · " + r.files.length + "张照片" : "");
  }

  function render() {
    return all().then(function (records) {
      var now = Date.now();
      records.filter(function (r) { return r.state === "sent" && now - r.sent > KEEP_SENT_MS; })
        .forEach(function (r) { drop(r.uuid); });
      records.sort(function (a, b) { return b.created - a.created; });
      document.querySelectorAll("[data-offline-queue]").forEach(function (box) {
        var list = box.querySelector("ul");
        list.textContent = "";
        box.classList.toggle("d-none", records.length === 0);
        records.forEach(function (r) {
          var item = document.createElement("li");
          item.className = "list-group-item small d-flex flex-wrap align-items-center gap-2";
          item.dataset.testid = ITEM;
          item.dataset.state = r.state;
          var text = document.createElement("span");
          text.textContent = summary(r);
          var badge = document.createElement("span");
          badge.className = "badge " + BADGES[r.state];
          badge.dataset.testid = "queue-state";
          badge.textContent = LABELS[r.state] + (r.error ? "：" + r.error : "");
          item.appendChild(badge); item.appendChild(text);
          if (r.state === "failed" || r.state === "sent") {
            var resend = document.createElement("button");
            resend.type = "button"; resend.className = "btn btn-sm btn-outline-secondary ms-auto";
            resend.textContent = "重新发送"; resend.dataset.testid = "resend";
            resend.addEventListener("click", function () { sendAll(r.uuid); });
            item.appendChild(resend);
          }
          list.appendChild(item);
        });
      });
    });
  }

  function enqueue(form) {
    var fields = [], files = [];
    new FormData(form).forEach(function (value, name) {
      if (name === "csrfmiddlewaretoken" || name === "client_uuid") { return; }
      if (value instanceof File) {
        if (value.size || value.name) { files.push({field: name, name: value.name, type: value.type, blob: value}); }
      } else {
        fields.push([name, value]);
      }
    });
    var shown = (form.dataset.queueSummary || "").split(/\s+/).filter(Boolean).map(function (name) {
      var input = form.elements[name];
      return input && input.value ? String(input.value) : "";
    }).filter(Boolean);
    var record = {uuid: newUuid(), url: form.dataset.syncUrl, label: form.dataset.queueLabel || "", fields: fields,
                  files: files, summary: shown, state: "pending", error: "", created: Date.now()};
    return put(record).then(function () { return record; });
  }

  function clear(form) {
    var names = (form.dataset.queueClear || "").split(/\s+/).filter(Boolean);
    if (!names.length) { form.reset(); return; }
    names.forEach(function (name) { if (form.elements[name]) { form.elements[name].value = ""; } });
  }

  var form = document.querySelector("form[data-sync-url]");
  if (form && window.indexedDB) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!form.checkValidity()) { form.reportValidity(); return; }
      enqueue(form).then(function () {
        clear(form);
        var note = document.getElementById("queue-note");
        if (note) { note.textContent = navigator.onLine ? "已保存，正在发送…" : "已保存在手机上，恢复信号后自动发送"; }
        return sendAll();
      }, function () { form.submit(); });  // no storage (private mode): post the form as before
    });
  }
  window.addEventListener("online", function () { sendAll(); });
  window.addEventListener("offline", render);
  window.fupinOfflineQueue = {sendAll: sendAll, render: render, resend: function (uuid) { return sendAll(uuid); }};
  if (window.indexedDB) { sendAll(); }
})();
