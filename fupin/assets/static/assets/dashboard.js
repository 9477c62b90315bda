// 总览: the 扶贫项目资产 block's chart of asset value by kind (data from json_script).
document.addEventListener("DOMContentLoaded", function () {
  const data = JSON.parse(document.getElementById("asset-kind-data").textContent);
  const chart = echarts.init(document.getElementById("chart-asset-kind"));
  chart.setOption({
    textStyle: {fontFamily: "Noto Sans CJK SC, Microsoft YaHei, sans-serif"},
    tooltip: {trigger: "item", formatter: "{b}：{c} 元（{d}%）"},
    series: [{type: "pie", radius: ["35%", "70%"], data: data}],
  });
  window.addEventListener("resize", () => chart.resize());
});
