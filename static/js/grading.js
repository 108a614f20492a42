// The grading pages' behaviours: select-all boxes, value suggestions in the rule editor, and
// the structure analysis charts (data passed with json_script; the CSP forbids inline scripts).
(function () {
  "use strict";

  document.addEventListener("change", (event) => {
    const all = event.target.closest("[data-select-all]");
    if (!all) return;
    document
      .querySelectorAll(`input[type=checkbox][name="${all.dataset.selectAll}"]`)
      .forEach((box) => { box.checked = all.checked; });
  });

  // Rule editor: the value box suggests the values of the chosen input (a <datalist> per input).
  document.querySelectorAll("[data-condition-row]").forEach((row) => {
    const input = row.querySelector("select[name$='-input']");
    const value = row.querySelector("input[name$='-value']");
    if (!input || !value) return;
    const update = () => {
      const list = document.getElementById("grading-values-" + input.value);
      if (list) value.setAttribute("list", list.id);
      else value.removeAttribute("list");
    };
    input.addEventListener("change", update);
    update();
  });

  const source = document.getElementById("grading-charts");
  if (!source || !window.echarts) return;
  const data = JSON.parse(source.textContent);
  const font = getComputedStyle(document.body).fontFamily;
  const charts = [];
  const palette = ["#1f5f8b", "#e8590c", "#198754", "#6f42c1", "#0aa2c0", "#d63384", "#868e96", "#ffc107"];

  function draw(name, option) {
    const element = document.querySelector(`[data-chart="${name}"]`);
    if (!element) return;
    const chart = window.echarts.init(element);
    chart.setOption({ textStyle: { fontFamily: font }, color: palette, animation: false, ...option });
    charts.push(chart);
  }

  function pie(items, { donut = false, colours = false } = {}) {
    return {
      tooltip: { trigger: "item", formatter: "{b}：{c}（{d}%）" },
      legend: { bottom: 0, type: "scroll" },
      series: [{
        type: "pie",
        radius: donut ? ["42%", "68%"] : "52%",
        center: ["50%", "45%"],
        label: { formatter: "{b}\n{c}", overflow: "none" },
        labelLine: { length: 8, length2: 6 },
        data: items.map((item) => ({
          name: item.name,
          value: item.value,
          ...(colours && item.colour ? { itemStyle: { color: item.colour } } : {}),
        })),
      }],
    };
  }

  draw("grades", pie(data.grades, { donut: true, colours: true }));
  draw("kinds", pie(data.kinds));
  draw("roles", pie(data.roles));
  draw("rooms", pie(data.rooms));

  const com = data.communities;
  draw("communities", {
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    legend: { bottom: 0 },
    grid: { left: 48, right: 16, top: 16, bottom: com.labels.length > 12 ? 72 : 48 },
    xAxis: { type: "category", data: com.labels, axisLabel: { interval: 0, rotate: com.labels.length > 6 ? 30 : 0 } },
    yAxis: { type: "value", name: data.labels.customers },
    dataZoom: com.labels.length > 12 ? [{ type: "slider", bottom: 28, height: 14, end: Math.min(100, 1200 / com.labels.length) }] : [],
    series: com.series.map((s) => ({
      name: s.name, type: "bar", stack: "grades", data: s.data, itemStyle: { color: s.colour }, barMaxWidth: 48,
    })),
  });

  draw("flags", {
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    grid: { left: 100, right: 32, top: 8, bottom: 24 },
    xAxis: { type: "value" },
    yAxis: { type: "category", data: data.flags.labels, inverse: true },
    series: [{
      type: "bar", barMaxWidth: 22, label: { show: true, position: "right" },
      data: data.flags.values.map((v, i) => ({ value: v, itemStyle: { color: data.flags.colours[i] } })),
    }],
  });

  const mv = data.movement;
  draw("movement", {
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    legend: { bottom: 0 },
    grid: { left: 40, right: 16, top: 16, bottom: 48 },
    xAxis: { type: "category", data: mv.labels },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      { name: data.labels.up, type: "bar", stack: "m", data: mv.up, itemStyle: { color: "#198754" } },
      { name: data.labels.down, type: "bar", stack: "m", data: mv.down, itemStyle: { color: "#dc3545" } },
      { name: data.labels.new, type: "bar", stack: "m", data: mv.new, itemStyle: { color: "#8fb3cf" } },
    ],
  });

  window.addEventListener("resize", () => charts.forEach((chart) => chart.resize()));
})();
