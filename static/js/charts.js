// Apache ECharts from data the page passes with json_script (no inline scripts: CSP).
//
// <div class="chart" data-chart="ID"></div> and {{ spec|json_script:"ID" }} where spec is
//   {type: "bar" | "line", labels: [...], series: [{name, data: [...]}, ...],
//    stack: true (stacked bars), percent: true (0–100 % axis),
//    horizontal: true (bars along the value axis, categories listed top to bottom: a ranking)}
// A null in data is a gap (no denominator), not a zero.
(function () {
  "use strict";
  const FONT = '"PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif';
  const COLORS = ["#1f5f8b", "#e8a33d", "#4aa36c", "#c0504d", "#7f6bb3", "#5bb5c8", "#8c8c8c"];

  function option(spec) {
    const percent = Boolean(spec.percent);
    const horizontal = Boolean(spec.horizontal);
    // Category names (communities, departments, people) side by side: slant them when crowded.
    const slant = !horizontal && spec.type === "bar" && !spec.stack && spec.labels.length > 4;
    const categories = {
      type: "category",
      data: spec.labels,
      inverse: horizontal, // a ranking reads from the top
      axisLabel: horizontal
        ? { fontSize: 11, interval: 0, width: 96, overflow: "truncate" }
        : { fontSize: 11, interval: slant ? 0 : "auto", rotate: slant ? 35 : 0, hideOverlap: !slant },
    };
    const values = {
      type: "value",
      min: percent ? (value) => Math.max(0, Math.floor((value.min - 5) / 10) * 10) : 0,
      max: percent ? 100 : null,
      minInterval: percent ? 0 : 1,
      axisLabel: { fontSize: 11, formatter: percent ? "{value}%" : "{value}" },
    };
    return {
      color: COLORS,
      textStyle: { fontFamily: FONT },
      animation: false,
      grid: { left: 8, right: 28, top: 36, bottom: 4, containLabel: true },
      legend: { top: 0, type: "scroll", textStyle: { fontSize: 12 } },
      tooltip: {
        trigger: "axis",
        axisPointer: { type: spec.type === "bar" ? "shadow" : "line" },
        valueFormatter: (value) =>
          value === null || value === undefined ? "—" : percent ? value + "%" : String(value),
      },
      xAxis: horizontal ? values : categories,
      yAxis: horizontal ? categories : values,
      series: spec.series.map((s) => ({
        name: s.name,
        type: spec.type,
        data: s.data,
        stack: spec.stack ? "total" : undefined,
        barMaxWidth: horizontal ? 10 : 28,
        connectNulls: false,
        symbolSize: 5,
        emphasis: { focus: "series" },
      })),
    };
  }

  function draw() {
    if (!window.echarts) return;
    const charts = [];
    document.querySelectorAll("[data-chart]").forEach((element) => {
      const source = document.getElementById(element.dataset.chart);
      if (!source) return;
      const spec = JSON.parse(source.textContent);
      if (!spec.labels || spec.labels.length === 0 || spec.series.length === 0) {
        element.classList.add("chart-empty");
        element.textContent = element.dataset.empty || "暂无数据";
        return;
      }
      const chart = window.echarts.init(element, null, { renderer: "svg" });
      chart.setOption(option(spec));
      charts.push(chart);
    });
    window.addEventListener("resize", () => charts.forEach((chart) => chart.resize()));
  }

  // <button data-print>: print the page (print views of the policy's paper forms).
  document.addEventListener("click", (event) => {
    if (event.target.closest("[data-print]")) window.print();
  });

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
