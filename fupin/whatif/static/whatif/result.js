// 政策模拟: households per township that enter or leave monitoring, newly pass or fail the exit check, and fall
// under the 低保 standard (data from json_script).
document.addEventListener("DOMContentLoaded", function () {
  const data = JSON.parse(document.getElementById("whatif-data").textContent);
  const chart = echarts.init(document.getElementById("chart-whatif"));
  const series = [["新纳入监测", "enter"], ["移出监测", "leave"], ["新符合脱贫条件", "exit_pass"],
                  ["不再符合脱贫条件", "exit_fail"], ["新低于低保标准", "dibao"]];
  chart.setOption({
    textStyle: {fontFamily: "Noto Sans CJK SC, Microsoft YaHei, sans-serif"},
    tooltip: {trigger: "axis"},
    legend: {data: series.map(s => s[0])},
    xAxis: {type: "category", data: data.map(d => d.name)},
    yAxis: {type: "value", name: "户"},
    series: series.map(s => ({name: s[0], type: "bar", data: data.map(d => d[s[1]])})),
  });
  window.addEventListener("resize", () => chart.resize());
});
