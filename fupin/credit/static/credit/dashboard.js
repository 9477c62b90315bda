// 总览: outstanding 小额信贷 per bank, from the panel's json_script.
document.addEventListener("DOMContentLoaded", function () {
  const data = JSON.parse(document.getElementById("credit-by-bank").textContent);
  const chart = echarts.init(document.getElementById("chart-credit-bank"));
  chart.setOption({
    textStyle: {fontFamily: "Noto Sans CJK SC, Microsoft YaHei, sans-serif"}, tooltip: {},
    grid: {left: 70, right: 10, bottom: 50},
    xAxis: {type: "category", data: data.names, axisLabel: {rotate: 20}},
    yAxis: {type: "value", name: "元"},
    series: [{type: "bar", name: "贷款余额", data: data.amounts, itemStyle: {color: "#9b1c1c"}}],
  });
  window.addEventListener("resize", () => chart.resize());
});
