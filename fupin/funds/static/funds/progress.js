// 支出进度 by township: allocated and disbursed bars with the share as a line (data from json_script).
document.addEventListener("DOMContentLoaded", function () {
  const data = JSON.parse(document.getElementById("progress-data").textContent);
  const chart = echarts.init(document.getElementById("chart-progress"));
  chart.setOption({
    textStyle: {fontFamily: "Noto Sans CJK SC, Microsoft YaHei, sans-serif"},
    tooltip: {trigger: "axis"},
    legend: {data: ["已分配", "已拨付", "支出进度"]},
    xAxis: {type: "category", data: data.map(d => d.name)},
    yAxis: [{type: "value", name: "元"}, {type: "value", name: "%", max: 100}],
    series: [
      {name: "已分配", type: "bar", data: data.map(d => d.allocated)},
      {name: "已拨付", type: "bar", data: data.map(d => d.disbursed)},
      {name: "支出进度", type: "line", yAxisIndex: 1, data: data.map(d => d.share)},
    ],
  });
  window.addEventListener("resize", () => chart.resize());
});
