// Visit form: quick phrases append to the record; the position is taken once and sent with the form.
document.querySelectorAll("[data-phrase]").forEach(function (button) {
  button.addEventListener("click", function () {
    var box = document.getElementById("id_content");
    box.value = (box.value ? box.value.replace(/[；;\s]*$/, "") + "；" : "") + button.dataset.phrase;
    box.focus();
  });
});
(function () {
  var status = document.getElementById("gps-status");
  if (!navigator.geolocation) { status.textContent = "本设备不支持定位"; return; }
  navigator.geolocation.getCurrentPosition(function (pos) {
    document.getElementById("id_latitude").value = pos.coords.latitude.toFixed(6);
    document.getElementById("id_longitude").value = pos.coords.longitude.toFixed(6);
    status.textContent = "已定位：" + pos.coords.latitude.toFixed(5) + ", " + pos.coords.longitude.toFixed(5);
  }, function () { status.textContent = "未获取定位（可直接提交）"; }, {timeout: 8000, maximumAge: 600000});
})();
