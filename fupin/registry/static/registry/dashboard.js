// 总览 charts from the page's json_script statistics.
document.addEventListener("DOMContentLoaded", function () {
  const s = JSON.parse(document.getElementById("stats").textContent);
  const font = {fontFamily: "Noto Sans CJK SC, Microsoft YaHei, sans-serif"};
  const draw = (id, option) => { const c = echarts.init(document.getElementById(id)); c.setOption(Object.assign({textStyle: font, tooltip: {}}, option)); window.addEventListener("resize", () => c.resize()); };
  draw("chart-region", {grid: {left: 50, right: 10, bottom: 60}, xAxis: {type: "category", data: s.by_region.names, axisLabel: {rotate: 40}}, yAxis: {type: "value"}, series: [{type: "bar", data: s.by_region.counts, itemStyle: {color: "#9b1c1c"}}]});
  draw("chart-cause", {tooltip: {trigger: "item"}, series: [{type: "pie", radius: ["35%", "70%"], data: s.by_cause}]});
  draw("chart-status", {tooltip: {trigger: "item"}, series: [{type: "pie", radius: "65%", data: Object.entries(s.by_status).map(([name, value]) => ({name, value}))}]});
  draw("chart-exit", {grid: {left: 50, right: 10}, xAxis: {type: "category", data: s.exits.years}, yAxis: {type: "value"}, series: [{type: "line", data: s.exits.counts, smooth: true}]});
});
