// 总览: the 扶贫资金 block — funds by source (pie) and allocated/disbursed per township (bars), from json_script.
document.addEventListener("DOMContentLoaded", function () {
  const font = {fontFamily: "Noto Sans CJK SC, Microsoft YaHei, sans-serif"};
  const sources = JSON.parse(document.getElementById("fund-source-data").textContent);
  const townships = JSON.parse(document.getElementById("fund-township-data").textContent);
  const charts = [];
  const sourceBox = document.getElementById("chart-fund-source");
  if (sourceBox && sources.length) {
    const chart = echarts.init(sourceBox);
    chart.setOption({textStyle: font, tooltip: {trigger: "item", formatter: "{b}：{c} 元（{d}%）"},
                     series: [{type: "pie", radius: ["35%", "70%"], data: sources}]});
    charts.push(chart);
  }
  const townBox = document.getElementById("chart-fund-township");
  if (townBox && townships.length) {
    const chart = echarts.init(townBox);
    chart.setOption({
      textStyle: font, tooltip: {trigger: "axis"}, legend: {data: ["已分配", "已拨付"]},
      xAxis: {type: "category", data: townships.map(d => d.name)}, yAxis: {type: "value", name: "元"},
      series: [{name: "已分配", type: "bar", data: townships.map(d => d.allocated)},
               {name: "已拨付", type: "bar", data: townships.map(d => d.disbursed)}],
    });
    charts.push(chart);
  }
  window.addEventListener("resize", () => charts.forEach(c => c.resize()));
});
