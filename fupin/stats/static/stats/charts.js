// The dashboards' charts from the page's json_script figures: bars of the regions below (click one to go down)
// or of a figure's groups, pies of its shares; "保存图片" saves a chart as PNG.
document.addEventListener("DOMContentLoaded", function () {
  const source = document.getElementById("stats-charts");
  if (!source || typeof echarts === "undefined") return;
  const font = {fontFamily: "Noto Sans CJK SC, Microsoft YaHei, sans-serif"};
  const colors = ["#9b1c1c", "#d97706", "#2563eb", "#059669", "#7c3aed", "#db2777", "#0891b2", "#65a30d"];
  const drawn = {};
  JSON.parse(source.textContent).forEach(function (c) {
    const el = document.querySelector('[data-chart="' + c.key + '"]');
    if (!el) return;
    const chart = echarts.init(el);
    let option;
    if (c.type === "pie") {
      option = {tooltip: {trigger: "item", formatter: "{b}：{c} " + c.unit + "（{d}%）"}, legend: {type: "scroll", bottom: 0},
        series: [{type: "pie", radius: ["30%", "65%"], data: c.categories.map((name, i) => ({name, value: c.series[0].data[i]}))}]};
    } else {
      option = {tooltip: {trigger: "axis"}, legend: {show: c.series.length > 1, top: 0}, grid: {left: 60, right: 10, bottom: 70},
        xAxis: {type: "category", data: c.categories, axisLabel: {rotate: c.categories.length > 6 ? 40 : 0, interval: 0}},
        yAxis: {type: "value", name: c.unit},
        series: c.series.map(s => ({type: "bar", name: s.name, data: s.data}))};
    }
    chart.setOption(Object.assign({textStyle: font, color: colors}, option));
    if (c.drill.length) {
      el.style.cursor = "pointer";
      chart.on("click", function (p) { if (c.drill[p.dataIndex]) window.location.search = c.drill[p.dataIndex]; });
    }
    window.addEventListener("resize", () => chart.resize());
    drawn[c.key] = chart;
  });
  document.querySelectorAll("[data-save-chart]").forEach(function (button) {
    button.addEventListener("click", function () {
      const chart = drawn[button.dataset.saveChart];
      if (!chart) return;
      const link = document.createElement("a");
      link.href = chart.getDataURL({type: "png", pixelRatio: 2, backgroundColor: "#fff"});
      link.download = (button.dataset.file || "图表") + ".png";
      document.body.appendChild(link);
      link.click();
      link.remove();
    });
  });
});
