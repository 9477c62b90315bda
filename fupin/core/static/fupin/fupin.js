// Page behaviours shared by every template, bound by data attributes: the Content-Security-Policy allows no inline
// script or on*="" handler (fupin/core/middleware.py).
document.addEventListener("DOMContentLoaded", function () {
  // <select data-autosubmit>: choosing a value submits its form (filters of one field).
  document.querySelectorAll("[data-autosubmit]").forEach(function (el) {
    el.addEventListener("change", function () { el.form.submit(); });
  });
  // <form data-confirm="…"> or <button data-confirm="…">: ask before an irreversible step.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
    });
  });
  document.querySelectorAll("button[data-confirm], input[type=submit][data-confirm]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      if (!window.confirm(button.dataset.confirm)) { event.preventDefault(); }
    });
  });
  // <input type=checkbox data-check-all="NAME">: ticks or clears every checkbox named NAME.
  document.querySelectorAll("[data-check-all]").forEach(function (box) {
    box.addEventListener("change", function () {
      document.querySelectorAll('input[type=checkbox][name="' + box.dataset.checkAll + '"]').forEach(function (c) {
        c.checked = box.checked;
      });
    });
  });
});
