// 总览: the 扶贫项目 block's charts, projects by status (bars) and by kind (pie), data from json_script.
document.addEventListener("DOMContentLoaded", function () {
  const data = JSON.parse(document.getElementById("project-chart-data").textContent);
  const font = {fontFamily: "Noto Sans CJK SC, Microsoft YaHei, sans-serif"};
  const status = echarts.init(document.getElementById("chart-project-status"));
  status.setOption({
    textStyle: font, tooltip: {trigger: "axis"}, grid: {left: 40, right: 10, top: 10, bottom: 30},
    xAxis: {type: "category", data: data.statuses.map((s) => s.label)},
    yAxis: {type: "value", minInterval: 1},
    series: [{type: "bar", data: data.statuses.map((s) => s.count), name: "项目数"}],
  });
  const kind = echarts.init(document.getElementById("chart-project-kind"));
  kind.setOption({
    textStyle: font, tooltip: {trigger: "item", formatter: "{b}：{c} 个（{d}%）"},
    series: [{type: "pie", radius: ["35%", "70%"], data: data.kinds}],
  });
  window.addEventListener("resize", () => { status.resize(); kind.resize(); });
});
