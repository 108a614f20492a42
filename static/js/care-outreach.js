// Community events per community against the yearly target (data passed with json_script; the
// CSP forbids inline scripts): held and planned events as stacked bars, the target as a line.
(function () {
  "use strict";
  const element = document.querySelector("[data-events-chart]");
  const source = document.getElementById("events-chart");
  if (!element || !source || !window.echarts) return;
  const data = JSON.parse(source.textContent);
  const font = getComputedStyle(document.body).fontFamily;
  const chart = window.echarts.init(element, null, { renderer: "svg" });
  chart.setOption({
    animation: false,
    textStyle: { fontFamily: font },
    color: ["#198754", "#9ec5fe", "#dc3545"],
    grid: { left: 8, right: 16, top: 36, bottom: 4, containLabel: true },
    legend: { top: 0 },
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    xAxis: { type: "category", data: data.communities, axisLabel: { interval: 0 } },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      { name: data.labels.held, type: "bar", stack: "events", data: data.held, barMaxWidth: 36 },
      { name: data.labels.planned, type: "bar", stack: "events", data: data.planned, barMaxWidth: 36 },
      // the target as a short red bar across each community's column, visible for one or many
      { name: data.labels.target, type: "scatter", data: data.target, symbol: "rect",
        symbolSize: [44, 3], z: 5 },
    ],
  });
  window.addEventListener("resize", () => chart.resize());
})();
