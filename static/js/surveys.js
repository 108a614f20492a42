// Survey results charts (data from json_script; the CSP forbids inline scripts): satisfaction
// per dimension and per group as horizontal bars, with the company target as a marked line.
(function () {
  "use strict";
  const source = document.getElementById("survey-charts");
  if (!source || !window.echarts) return;
  const data = JSON.parse(source.textContent);
  const font = getComputedStyle(document.body).fontFamily;

  function bars(name, rows) {
    const element = document.querySelector(`[data-chart="${name}"]`);
    if (!element) return;
    const chart = window.echarts.init(element);
    const shown = rows.filter((row) => row.value !== null).reverse();
    chart.setOption({
      textStyle: { fontFamily: font },
      animation: false,
      grid: { left: 8, right: 48, top: 24, bottom: 8, containLabel: true },
      xAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", data: shown.map((row) => row.name) },
      tooltip: { trigger: "axis", valueFormatter: (v) => `${v}%` },
      series: [{
        type: "bar",
        data: shown.map((row) => ({
          value: row.value,
          itemStyle: { color: row.value < data.target ? "#dc3545" : "#1f5f8b" },
        })),
        label: { show: true, position: "right", formatter: "{c}%" },
        markLine: {
          symbol: "none", silent: true, lineStyle: { color: "#198754", type: "dashed" },
          data: [{ xAxis: data.target }], label: { formatter: data.target_label, position: "end", color: "#198754" },
        },
      }],
    });
    window.addEventListener("resize", () => chart.resize());
  }

  bars("dimensions", data.dimensions);
  bars("groups", data.groups);
})();
