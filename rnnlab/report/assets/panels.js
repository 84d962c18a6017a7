// rnnlab report: the panels of one run folder (run, ensemble, forecast).
"use strict";

function panel(host, name, title, help) {
  const section = el("section", {class: "panel", "data-panel": name}, host);
  el("h2", {text: title}, section);
  if (help) el("p", {class: "help", text: help}, section);
  return section;
}
function rendered(section) { section.setAttribute("data-rendered", "true"); }

function slider(host, labels, start, onChange) {
  const box = el("div", {class: "slider"}, host);
  const input = el("input", {type: "range", min: 0, max: Math.max(0, labels.length - 1), step: 1, value: start}, box);
  const label = el("span", {class: "slider-label", text: labels[start] || ""}, box);
  input.addEventListener("input", () => {
    const i = Number(input.value);
    label.textContent = labels[i];
    onChange(i);
  });
  return input;
}

function lossPanel(host, curves, title) {
  const section = panel(host, "loss", title || "Loss", "Training loss at each log point (and the test loss where the run has a test part), log scale.");
  const positive = curves.every(c => c.y.every(v => v == null || v > 0));
  lineChart(section, {series: curves.map((c, i) => ({...c, color: PALETTE[i]})), logY: positive,
    xLabel: "epoch", yLabel: positive ? "loss (log scale)" : "loss", width: 1000, height: 300});
  rendered(section);
}

// x positions of N windows of O steps side by side, a gap of one step between them.
function windowLayout(n, o, dx) {
  const x = [];
  for (let i = 0; i < n; i++) { for (let j = 0; j < o; j++) x.push(dx * ((o + 1) * i + j)); x.push(null); }
  return x;
}
function flatWindows(values) { const out = []; for (const w of values) { out.push(...w); out.push(null); } return out; }

function predictionsPanel(host, p) {
  const section = panel(host, "predictions", "Predictions",
    p.kind === "windows" ? "The test windows' targets and the network's predictions at each logged epoch: drag the slider."
      : "The series and the network's next-step predictions at each logged epoch: drag the slider.");
  const last = p.frames.length - 1;
  let chart, show;
  if (p.kind === "windows") {
    const n = p.truth.length, o = p.truth[0].length, x = windowLayout(n, o, p.dx || 1);
    const xs = x.map(v => v == null ? NaN : v);
    const vlines = [];
    for (let i = 1; i < n; i++) vlines.push({x: (p.dx || 1) * ((o + 1) * i - 1), color: "#999"});
    chart = lineChart(section, {series: [
      {name: "truth", x: xs, y: flatWindows(p.truth), color: PALETTE[0], width: 2.2},
      {name: "prediction", x: xs, y: flatWindows(p.frames[last]), color: PALETTE[1], width: 2.2, dash: "6 3"}],
    yDomain: [-1.15, 1.15], xLabel: `time: ${n} test windows of ${o} steps, side by side`, yLabel: "value",
    vlines, xTicks: false, width: 1000, height: 300});
    show = i => chart.setSeries(1, xs, flatWindows(p.frames[i]));
  } else {
    const t = p.time, actual = p.actual;
    chart = lineChart(section, {series: [
      {name: "actual", x: t, y: actual, color: PALETTE[0], points: true, width: 1.2},
      {name: "predicted next value", x: t.slice(1), y: p.frames[last], color: PALETTE[1], points: true, line: false, radius: 3.2}],
    xLabel: "time", yLabel: "value", width: 1000, height: 300});
    show = i => chart.setSeries(1, t.slice(1), p.frames[i]);
  }
  chart.svg.setAttribute("data-role", "prediction-chart");
  const input = slider(section, p.labels, last, show);
  input.setAttribute("data-role", "prediction-slider");
  rendered(section);
}

function inspectionPanels(host, ins) {
  const n = ins.epochs.length, last = n - 1;
  const labels = ins.epochs.map(e => `epoch ${e}`);
  const layerCount = ins.layers;
  const wrap = el("div", {class: "inspection"}, host);
  const controls = panel(wrap, "inspection-controls", "Inside the network",
    `Measured at each log point on the first test window (${ins.steps} steps, ${ins.hidden_size} units, ${ins.cell} cell). ` +
    "Drag the slider to move through training; docs/report.md explains how to read each view.");
  let layer = layerCount - 1, epoch = last;
  if (layerCount > 1) {
    const sel = el("select", {}, el("label", {text: "layer "}, controls));
    for (let y = 0; y < layerCount; y++) el("option", {value: y, text: String(y + 1)}, sel);
    sel.value = String(layer);
    sel.addEventListener("change", () => { layer = Number(sel.value); draw(); });
  }
  slider(controls, labels, last, i => { epoch = i; draw(); }).setAttribute("data-role", "inspection-slider");
  rendered(controls);
  const grid = el("div", {class: "grid2"}, wrap);
  const views = {
    hidden: panel(grid, "hidden", "Hidden state over time", "Each unit's activation (rows) at each step of the window (columns)."),
    projection: panel(grid, "projection", "Trajectory of the hidden state",
      "The hidden state at each step projected on its two principal axes (from every log point): the path the state takes through the window; the grey path is the trained network's."),
    grad: panel(grid, "grad-norm", "Gradient reaching each step",
      "|dLoss/dh_t| in backpropagation through time: how much of the loss's gradient reaches step t. A curve that falls steeply towards early steps is a vanishing gradient."),
    gradMap: panel(grid, "grad-map", "Gradient over training", "The same norms at every log point (rows) and step (columns), log colour scale."),
    whh: panel(grid, "w-hh", "Recurrent matrix W_hh", "Its entries at the last log point" + (ins.gates > 1 ? ` (${ins.gates} gate blocks side by side).` : ".")),
    eig: panel(grid, "eigenvalues", `Eigenvalues of ${ins.eigen_block}`, "In the complex plane, with the unit circle: outside it, the linear part of the recurrence grows."),
    radius: panel(grid, "spectral-radius", "Spectral radius over training", `The largest |eigenvalue| of ${ins.eigen_block} at each log point; 1 marks the edge of stability.`),
  };
  const bodies = {};
  for (const [k, sec] of Object.entries(views)) bodies[k] = el("div", {class: "view"}, sec);

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function draw() {
    const h = ins.hidden[epoch][layer];  // (L, H)
    clear(bodies.hidden);
    heatmap(bodies.hidden, h[0].map((_, u) => h.map(step => step[u])), {diverging: true, rowLabel: "unit", colLabel: "step t of the window", colStart: 1, width: 420, height: 250});
    clear(bodies.projection);
    const pr = ins.projection[epoch][layer], fin = ins.projection[last][layer];
    const share = ins.explained[layer].map(v => `${Math.round(100 * v)}%`);
    const chart = lineChart(bodies.projection, {series: [
      {name: "trained", x: fin.map(p => p[0]), y: fin.map(p => p[1]), color: "#aaa", points: true, radius: 2},
      {name: labels[epoch], x: pr.map(p => p[0]), y: pr.map(p => p[1]), color: PALETTE[0], points: true},
      {name: "first step", x: [pr[0][0]], y: [pr[0][1]], color: PALETTE[3], points: true, line: false, radius: 4.5}],
    xLabel: `principal axis 1 (${share[0]} of variance)`, yLabel: `axis 2 (${share[1]})`, width: 420, height: 250});
    chart.svg.setAttribute("data-role", "projection-chart");
    clear(bodies.grad);
    const steps = ins.grad_norm[epoch][layer].map((_, t) => t + 1);
    lineChart(bodies.grad, {series: [
      {name: labels[0], x: steps, y: ins.grad_norm[0][layer], color: "#bbb", points: true},
      {name: labels[epoch], x: steps, y: ins.grad_norm[epoch][layer], color: PALETTE[3], points: true}],
    logY: true, xLabel: "step t of the window", yLabel: "|dLoss/dh_t| (log)", width: 420, height: 250});
    clear(bodies.eig);
    const e = ins.eig[epoch][layer], circle = [];
    for (let k = 0; k <= 96; k++) circle.push([Math.cos(2 * Math.PI * k / 96), Math.sin(2 * Math.PI * k / 96)]);
    const reach = Math.max(1.1, ...e.map(z => Math.hypot(z[0], z[1]) * 1.05).filter(finite));
    lineChart(bodies.eig, {series: [
      {name: "unit circle", x: circle.map(c => c[0]), y: circle.map(c => c[1]), color: "#999", dash: "4 3", width: 1},
      {name: labels[epoch], x: e.map(z => z[0]), y: e.map(z => z[1]), color: PALETTE[0], points: true, line: false, radius: 3}],
    xDomain: [-reach, reach], yDomain: [-reach, reach], equal: true, xLabel: "real", yLabel: "imaginary", width: 420, height: 280});
  }
  draw();
  heatmap(bodies.gradMap, ins.grad_norm.map(k => k[layerCount - 1]), {log: true, rowLabel: "log point", colLabel: "step",
    colStart: 1, width: 420, height: 250, rowTicks: tickRows(ins.epochs)});
  const w = ins.w_hh[layerCount - 1];
  heatmap(bodies.whh, w, {diverging: true, rowLabel: "from unit (row of W_hh)", colLabel: "to unit" + (ins.gates > 1 ? " (gate blocks)" : ""),
    width: 420, height: 280});
  const radius = ins.radius.y.map((ys, y) => ({name: layerCount > 1 ? `layer ${y + 1}` : "spectral radius", x: ins.radius.x, y: ys, color: PALETTE[y]}));
  lineChart(bodies.radius, {series: radius, hlines: [{y: 1, color: PALETTE[3], label: "1"}], xLabel: "epoch", yLabel: "spectral radius", width: 420, height: 250});
  for (const sec of Object.values(views)) rendered(sec);
}

function tickRows(epochs) {
  const n = epochs.length, out = [];
  for (const i of [0, Math.floor(n / 2), n - 1]) if (i >= 0 && !out.some(t => t[0] === i)) out.push([i, `ep ${epochs[i]}`]);
  return out;
}

function configPanel(host, text) {
  const section = panel(host, "config", "Config", "The resolved recipe, config.toml: rerun it with `rnnlab run config.toml`.");
  el("pre", {class: "config", text: text || "(no config.toml)"}, section);
  rendered(section);
}

const SUMMARY_SKIP = new Set(["versions", "threads", "argv", "engine_info", "metrics", "members", "split",
  "normalisation", "validation_mae", "backtest_origins", "ensemble", "final_loss", "test_rmse"]);

function summaryPanel(host, summary) {
  const section = panel(host, "summary", "Summary and versions", "From summary.json (written last: its presence means the run is complete).");
  if (!summary) { el("p", {text: "The run has not finished: no summary.json yet."}, section); rendered(section); return; }
  const rows = [];
  for (const [k, v] of Object.entries(summary)) {
    if (SUMMARY_SKIP.has(k) && !(typeof v === "number")) continue;
    if (v !== null && typeof v === "object") continue;
    rows.push([k, v]);
  }
  for (const key of ["final_loss", "test_rmse"]) {
    const v = summary[key];
    if (v && typeof v === "object") rows.push([`${key} (median, min, max)`, `${fmt(v.median)}, ${fmt(v.min)}, ${fmt(v.max)}`]);
  }
  dataTable(section, ["key", "value"], rows);
  if (summary.argv) el("p", {class: "mono", text: "command: " + summary.argv.join(" ")}, section);
  const versions = Object.entries(summary.versions || {}).map(([k, v]) => `${k} ${v}`).join(" · ");
  if (versions) el("p", {class: "mono", text: "versions: " + versions}, section);
  rendered(section);
}

// Members coloured by their swept value (viridis over the values' order), else one colour.
function memberColors(members, key) {
  const values = orderValues(members.map(m => m.value));
  const color = {};
  values.forEach((v, i) => { color[v] = key ? rgb(ramp(VIRIDIS, values.length > 1 ? i / (values.length - 1) : 0.5)) : PALETTE[0]; });
  return {values, color};
}

function ensemblePanels(host, ens, title) {
  const members = ens.members, key = ens.key;
  const {values, color} = memberColors(members, key);
  const section = panel(host, "ensemble-loss", title || "Every member's loss",
    key ? `One curve per member, coloured by ${key}.` : "One curve per member.");
  const alpha = Math.max(0.15, Math.min(0.9, 12 / members.length));
  const series = members.map(m => ({name: "", x: m.curve.x, y: m.curve.y, color: color[m.value], width: 1.1, opacity: alpha, legend: false}));
  const legendSeries = key ? values.map(v => ({name: `${key} = ${v}` + (v === ens.best_value ? " (best)" : ""), x: [], y: [], color: color[v]})) : [];
  const positive = members.every(m => m.curve.y.every(v => v == null || v > 0));
  lineChart(section, {series: [...series, ...legendSeries], logY: positive, xLabel: "epoch", yLabel: positive ? "training loss (log scale)" : "training loss", width: 1000, height: 300});
  rendered(section);
  const table = panel(host, "members", "Members", bestSentence(ens));
  const sorted = [...members].sort((a, b) => (a.test_rmse ?? Infinity) - (b.test_rmse ?? Infinity));
  const rows = sorted.map(m => [m.member, m.seed, ...(key ? [m.value] : []), m.final_loss, m.test_rmse, m.diverged_epoch ?? ""]);
  dataTable(table, ["member", "seed", ...(key ? [key] : []), "final loss", "test RMSE", "diverged at"], rows,
    {highlight: sorted.findIndex(m => m.member === ens.best_member)});
  if (key) {
    el("h3", {text: `By ${key}`}, table);
    dataTable(table, [key, "members", "median test RMSE", "diverged"], ens.values.map(v => [v.value, v.members, v.median_rmse, v.diverged]),
      {highlight: ens.values.findIndex(v => v.value === ens.best_value)});
  }
  rendered(table);
}

function bestSentence(ens) {
  const best = ens.members.find(m => m.member === ens.best_member);
  let text = best ? `Best member: ${best.member} (seed ${best.seed}${ens.key ? `, ${ens.key} = ${best.value}` : ""}), test RMSE ${fmt(best.test_rmse)}.` : "Every member diverged.";
  if (ens.key && ens.best_value != null) text += ` Best ${ens.key}: ${ens.best_value} (lowest median test RMSE over its seeds).`;
  return text;
}

const FC_COLORS = {model: PALETTE[1], naive: PALETTE[2], seasonal_naive: PALETTE[4], mean: PALETTE[5]};

function forecastPanels(host, f, metrics) {
  if (metrics) {
    const section = panel(host, "forecast-metrics", "Accuracy against the baselines",
      "Pooled over every backtest origin and step of the test part. MASE below 1 beats the in-sample seasonal naive forecast.");
    const names = Object.keys(metrics), cols = ["mae", "rmse", "smape", "mase"];
    const best = names.reduce((a, b) => ((metrics[b].mase ?? Infinity) < (metrics[a].mase ?? Infinity) ? b : a), names[0]);
    dataTable(section, ["forecast", "MAE", "RMSE", "sMAPE %", "MASE"], names.map(n => [n, ...cols.map(c => metrics[n][c])]),
      {highlight: names.indexOf(best)});
    rendered(section);
  }
  if (!f) return;
  const x = f.x, xs = {xDate: f.is_date, xLabel: f.is_date ? "time" : "position"};
  const series = panel(host, "forecast-series", "The series and its backtest origins",
    "Train, validation and test parts; dotted lines mark the origins the test forecasts start from.");
  lineChart(series, {series: [{name: "series", x, y: f.values, color: PALETTE[0], width: 1.2}], ...xs, yLabel: "value", width: 1000,
    shade: [{from: x[f.train_end], to: x[f.val_end], color: PALETTE[0], label: "validation"},
      {from: x[f.val_end], to: x[x.length - 1], color: PALETTE[1], label: "test"}],
    vlines: f.origins.map(o => ({x: x[o], color: "#999"}))});
  rendered(series);
  const origins = panel(host, "forecast-origins", "Forecasts from each origin",
    "The model and the baselines from one backtest origin at a time: drag the slider." + (f.model_lower ? " The band is the model's prediction interval." : ""));
  const start = Math.max(0, f.val_end - Math.floor((x.length - f.val_end) / 2));
  const names = Object.keys(f.forecasts);
  const base = [{name: "actual", x: x.slice(start), y: f.values.slice(start), color: "#333", width: 1.2}];
  const drawOrigin = i => {
    while (holder.firstChild) holder.removeChild(holder.firstChild);
    const sx = f.step_x[i];
    const bands = f.model_lower ? [{x: sx, lo: f.model_lower[i], hi: f.model_upper[i], color: PALETTE[1]}] : [];
    lineChart(holder, {series: [...base, ...names.map(n => ({name: n.replace("_", " "), x: sx, y: f.forecasts[n][i], color: FC_COLORS[n],
      width: n === "model" ? 2.2 : 1.3, dash: n === "model" ? "" : "5 3"}))], bands, ...xs, yLabel: "value", width: 1000,
      vlines: [{x: x[f.origins[i]], color: PALETTE[1]}]}).svg.setAttribute("data-role", "origin-chart");
  };
  const holder = el("div", {}, origins);
  drawOrigin(0);
  slider(origins, f.origins.map((o, i) => `origin ${i + 1} of ${f.origins.length}`), 0, drawOrigin);
  rendered(origins);
  const steps = panel(host, "forecast-steps", "Error by horizon step", "Mean absolute error at each step ahead, over every origin.");
  const h = f.error_by_step.model.map((_, k) => k + 1);
  lineChart(steps, {series: names.map(n => ({name: n.replace("_", " "), x: h, y: f.error_by_step[n], color: FC_COLORS[n], points: true})),
    xLabel: "steps ahead", yLabel: "mean absolute error", xInteger: true, width: 1000, height: 300});
  rendered(steps);
  if (f.future_x && f.future_model) {
    const fut = panel(host, "forecast-future", "The forecast beyond the data",
      f.future_lower ? `With its ${f.interval_level ? Math.round(100 * f.interval_level) + "% " : ""}prediction interval.` : "");
    const tail = Math.max(0, x.length - 4 * f.future_x.length);
    lineChart(fut, {series: [{name: "series", x: x.slice(tail), y: f.values.slice(tail), color: "#333", width: 1.2},
      {name: "forecast", x: f.future_x, y: f.future_model, color: PALETTE[1], width: 2.2, points: true}],
    bands: f.future_lower ? [{x: f.future_x, lo: f.future_lower, hi: f.future_upper, color: PALETTE[1]}] : [], ...xs, yLabel: "value", width: 1000});
    rendered(fut);
  }
}
