// rnnlab report: the page itself (one run, or several compared), and live refreshing.
"use strict";

function header(host, run) {
  const box = el("header", {class: "top"}, host);
  el("h1", {text: run.title || run.name}, box);
  const status = run.complete ? "complete" : (run.progress ? `training: epoch ${run.progress.epoch} of ${run.progress.epochs}` : "training");
  el("p", {class: "meta", text: `${run.kind} · ${run.name} · ${status}`}, box);
  const s = run.summary || {};
  const facts = [];
  if (typeof s.final_loss === "number") facts.push(`final loss ${fmt(s.final_loss)}`);
  if (typeof s.test_rmse === "number") facts.push(`test RMSE ${fmt(s.test_rmse)}`);
  if (s.test_rmse && typeof s.test_rmse === "object") facts.push(`test RMSE median ${fmt(s.test_rmse.median)}`);
  if (run.metrics && run.metrics.model) facts.push(`MASE ${fmt(run.metrics.model.mase)}`);
  if (s.epochs) facts.push(`${s.epochs} epochs`);
  if (s.engine) facts.push(`engine ${s.engine}`);
  if (typeof s.wall_seconds === "number") facts.push(`${fmt(s.wall_seconds)} s`);
  if (facts.length) el("p", {class: "facts", text: facts.join(" · ")}, box);
}

function renderRun(host, run) {
  header(host, run);
  if (run.kind === "ensemble" && run.ensemble) ensemblePanels(host, run.ensemble);
  if (run.kind === "forecast") {
    forecastPanels(host, run.forecast, run.metrics);
    if (run.training && run.training.length) {
      const section = panel(host, "forecast-training", "Validation error while training",
        "The validation MAE of every model trained (candidates and seeds); early stopping keeps each one's best epoch.");
      lineChart(section, {series: run.training.slice(0, 40).map((c, i) => ({...c, color: PALETTE[i % PALETTE.length], width: 1.2})),
        legend: run.training.length <= 8, xLabel: "epoch", yLabel: "validation MAE", width: 1000, height: 300});
      rendered(section);
    }
  }
  if (run.kind === "run") {
    if (run.curves && run.curves.length && run.curves[0].x.length) lossPanel(host, run.curves);
    if (run.predictions) predictionsPanel(host, run.predictions);
    if (run.inspection) inspectionPanels(host, run.inspection);
  }
  configPanel(host, run.config);
  summaryPanel(host, run.summary);
}

function renderCompare(host, data) {
  const box = el("header", {class: "top"}, host);
  el("h1", {text: `Comparing ${data.runs.length} run folders`}, box);
  el("p", {class: "meta", text: data.runs.map(r => r.name).join(" · ")}, box);
  if (data.best) el("p", {class: "facts", text: data.best}, box);
  if (data.curves.length) {
    const section = panel(host, "compare-loss", "Training loss, overlaid",
      data.color_key ? `Every member of every folder, coloured by ${data.color_key}.` : "One colour per folder; dashed: test loss.");
    const values = data.color_values || [];
    const colorOf = c => c.value != null && data.color_key
      ? rgb(ramp(VIRIDIS, values.length > 1 ? values.indexOf(c.value) / (values.length - 1) : 0.5)) : PALETTE[c.run % PALETTE.length];
    const many = data.curves.length;
    const series = data.curves.map(c => ({name: c.name, x: c.x, y: c.y, color: colorOf(c), dash: c.test ? "5 3" : "",
      width: c.value != null ? 1.1 : 1.8, opacity: c.value != null ? Math.max(0.25, Math.min(0.9, 12 / many)) : 1,
      legend: c.value == null}));
    const legendSeries = data.color_key ? values.map(v => ({name: `${data.color_key} = ${v}`, x: [], y: [], color: colorOf({value: v})})) : [];
    const positive = data.curves.every(c => c.y.every(v => v == null || v > 0));
    lineChart(section, {series: [...series, ...legendSeries], logY: positive, xLabel: "epoch", yLabel: positive ? "loss (log scale)" : "loss", width: 1000, height: 320});
    rendered(section);
  }
  const table = panel(host, "compare-metrics", "Final numbers", "The best folder is highlighted.");
  dataTable(table, data.table.header, data.table.rows, {highlight: data.table.best});
  rendered(table);
  const diff = panel(host, "compare-config", "Config keys that differ",
    data.diff.length ? "Every other key of config.toml is the same in all folders." : "Every config key is the same in all folders.");
  if (data.diff.length) dataTable(diff, ["key", ...data.runs.map(r => r.name)], data.diff.map(d => [d.key, ...d.values]));
  rendered(diff);
  for (const run of data.runs) {
    if (run.kind === "ensemble" && run.ensemble) {
      const sub = el("div", {class: "sub"}, host);
      el("h2", {class: "run-name", text: run.name}, sub);
      ensemblePanels(sub, run.ensemble, `${run.name}: every member's loss`);
    }
  }
}

function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

// Live: a page opened from disk cannot fetch() a file next to it, but it may load a script,
// so the run writes live.js, which calls rnnlabLive(data); the page reloads it every few seconds.
function startLive(host, data) {
  const live = data.live;
  window.rnnlabLive = payload => {
    if (payload.complete && !data.run.complete) { location.reload(); return; }
    data.run = payload;
    const y = window.scrollY;
    clear(host);
    renderRun(host, payload);
    window.scrollTo(0, y);
    document.body.setAttribute("data-live-epoch", String(payload.progress ? payload.progress.epoch : ""));
  };
  const poll = () => {
    if (data.run.complete) return;
    const s = document.createElement("script");
    s.src = `${live.src}?t=${Date.now()}`;
    s.onload = s.onerror = () => s.remove();
    document.head.appendChild(s);
    setTimeout(poll, live.every_ms);
  };
  setTimeout(poll, live.every_ms);
}

function main() {
  const data = JSON.parse(document.getElementById("rnnlab-data").textContent);
  const host = document.getElementById("report");
  if (data.page === "compare") renderCompare(host, data);
  else {
    renderRun(host, data.run);
    if (data.live) startLive(host, data);
  }
  el("footer", {text: `rnnlab ${data.version || ""} · generated ${data.generated}`}, document.body);
  document.body.setAttribute("data-ready", "true");
}

main();
