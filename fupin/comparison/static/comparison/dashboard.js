// 核查进度 charts: suspects by township (stacked by status) and the confirmed rate of each rule; data from json_script.
document.addEventListener("DOMContentLoaded", function () {
  var rows = JSON.parse(document.getElementById("township-data").textContent);
  var el = document.getElementById("township-chart");
  if (!window.echarts || !rows.length) { el.style.display = "none"; return; }
  var chart = echarts.init(el);
  var series = [["待核查", "open", "#f0ad4e"], ["属实", "confirmed", "#d9534f"], ["不属实", "rejected", "#5cb85c"], ["已消除", "closed", "#adb5bd"]];
  chart.setOption({
    tooltip: {trigger: "axis", axisPointer: {type: "shadow"}},
    legend: {top: 4},
    grid: {left: 40, right: 16, bottom: 40, top: 40, containLabel: true},
    xAxis: {type: "category", data: rows.map(function (r) { return r.name; }), axisLabel: {interval: 0, rotate: rows.length > 6 ? 30 : 0}},
    yAxis: {type: "value", minInterval: 1},
    series: series.map(function (s) {
      return {name: s[0], type: "bar", stack: "total", itemStyle: {color: s[2]}, data: rows.map(function (r) { return r[s[1]]; })};
    })
  });
  var rules = JSON.parse(document.getElementById("rule-data").textContent).filter(function (r) { return r.answered; });
  var ruleEl = document.getElementById("rule-chart");
  var ruleChart = null;
  if (rules.length) {
    ruleChart = echarts.init(ruleEl);
    ruleChart.setOption({
      title: {text: "属实率（已核查的疑点中核实属实的比例）", textStyle: {fontSize: 13}, left: 8, top: 6},
      tooltip: {trigger: "axis", formatter: function (p) { var r = rules[p[0].dataIndex]; return r.name + "<br>属实 " + r.confirmed + " / 已核查 " + r.answered + "（" + r.confirmed_rate + "%）"; }},
      grid: {left: 40, right: 24, bottom: 30, top: 40, containLabel: true},
      xAxis: {type: "value", max: 100, axisLabel: {formatter: "{value}%"}},
      yAxis: {type: "category", data: rules.map(function (r) { return r.name; })},
      series: [{type: "bar", data: rules.map(function (r) { return r.confirmed_rate; }), itemStyle: {color: "#d9534f"}, label: {show: true, position: "right", formatter: "{c}%"}}]
    });
  } else { ruleEl.style.display = "none"; }
  window.addEventListener("resize", function () { chart.resize(); if (ruleChart) { ruleChart.resize(); } });
});
