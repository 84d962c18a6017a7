// rnnlab report: chart primitives (SVG line charts, canvas heatmaps), no dependencies.
"use strict";

const SVGNS = "http://www.w3.org/2000/svg";
// Okabe & Ito's palette: distinguishable with every common colour-vision deficiency.
const PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000", "#F0E442"];
const VIRIDIS = ["#440154", "#414487", "#2a788e", "#22a884", "#7ad151", "#fde725"];
const DIVERGING = ["#2166ac", "#67a9cf", "#d1e5f0", "#f7f7f7", "#fddbc7", "#ef8a62", "#b2182b"];

const SVG_TAGS = new Set(["svg", "g", "path", "line", "rect", "circle", "text", "defs", "clipPath"]);

function el(tag, attrs, parent) {
  const node = SVG_TAGS.has(tag) ? document.createElementNS(SVGNS, tag) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "text") node.textContent = v;
    else node.setAttribute(k, v);
  }
  if (parent) parent.appendChild(node);
  return node;
}

function finite(v) { return typeof v === "number" && isFinite(v); }

// Swept values in order: by number where every one is a number, else as given.
function orderValues(values) {
  const unique = [...new Set(values)];
  return unique.every(v => v != null && v !== "" && isFinite(Number(v))) ? unique.sort((a, b) => Number(a) - Number(b)) : unique;
}

function hexToRgb(hex) {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

// A colour from a list of stops at t in [0, 1].
function ramp(stops, t) {
  t = Math.min(1, Math.max(0, finite(t) ? t : 0));
  const f = t * (stops.length - 1), i = Math.min(stops.length - 2, Math.floor(f)), u = f - i;
  const a = hexToRgb(stops[i]), b = hexToRgb(stops[i + 1]);
  return [0, 1, 2].map(k => Math.round(a[k] + u * (b[k] - a[k])));
}
function rgb(c) { return `rgb(${c[0]},${c[1]},${c[2]})`; }

function niceStep(span, count) {
  const raw = span / Math.max(1, count), mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const r = raw / mag;
  return (r < 1.5 ? 1 : r < 3 ? 2 : r < 7 ? 5 : 10) * mag;
}

function fmt(v) {
  if (!finite(v)) return "n/a";
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(1).replace("e+", "e");
  return String(parseFloat(v.toPrecision(4)));
}

function linearTicks(lo, hi, count) {
  const step = niceStep(hi - lo || 1, count), out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

function logTicks(lo, hi) {
  const out = [], a = Math.floor(Math.log10(lo)), b = Math.ceil(Math.log10(hi));
  const mults = b - a <= 2 ? [1, 2, 5] : [1];
  const every = Math.max(1, Math.ceil((b - a) / 8));
  for (let e = a; e <= b; e += every) for (const m of mults) {
    const v = m * Math.pow(10, e);
    if (v >= lo * 0.999 && v <= hi * 1.001) out.push(v);
  }
  return out;
}

function dateTicks(lo, hi) {
  const years = (hi - lo) / (365.25 * 864e5), out = [];
  const start = new Date(lo);
  if (years > 3) {
    const step = niceStep(years, 6);
    for (let y = Math.ceil(start.getUTCFullYear() / step) * step; ; y += step) {
      const t = Date.UTC(y, 0, 1);
      if (t > hi) break;
      if (t >= lo) out.push([t, String(y)]);
    }
  } else {
    const months = Math.max(1, Math.ceil(years * 12 / 6));
    for (let d = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), 1)); d.getTime() <= hi;
      d = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1))) {
      if (d.getTime() >= lo) out.push([d.getTime(), d.toISOString().slice(0, 7)]);
    }
  }
  return out;
}

function extent(values, positive) {
  let lo = Infinity, hi = -Infinity;
  for (const v of values) if (finite(v) && (!positive || v > 0)) { if (v < lo) lo = v; if (v > hi) hi = v; }
  if (lo === Infinity) return positive ? [0.1, 1] : [0, 1];
  if (lo === hi) return positive ? [lo / 2, hi * 2] : [lo - 0.5 - Math.abs(lo) * 0.1, hi + 0.5 + Math.abs(hi) * 0.1];
  return [lo, hi];
}

// A path through (x[i], y[i]) in screen units, broken where a value is missing.
function pathData(xs, ys, sx, sy) {
  let d = "", pen = false;
  for (let i = 0; i < xs.length; i++) {
    const X = sx(xs[i]), Y = sy(ys[i]);
    if (!finite(X) || !finite(Y)) { pen = false; continue; }
    d += (pen ? "L" : "M") + X.toFixed(1) + " " + Y.toFixed(1);
    pen = true;
  }
  return d;
}

// An SVG chart of lines, optional points, bands and reference lines.
// opt: {series: [{name, x, y, color, width, dash, opacity, points, legend}], bands: [{x, lo, hi, color}],
//       logY, xLabel, yLabel, xDate, equal, vlines: [{x, color, label}], hlines: [{y, color, label}],
//       shade: [{from, to, color, label}], width, height, xDomain, yDomain, title}
// Returns {svg, setSeries(i, x, y)} so a slider can redraw one series.
function lineChart(host, opt) {
  const W = opt.width || 560, H = opt.height || 260;
  const named = (opt.series || []).filter(s => s.name && s.legend !== false);
  const showLegend = opt.legend !== false && named.length > 0;
  const m = {l: 62, r: 12, t: (opt.title ? 24 : 10) + (showLegend ? 18 : 0), b: 40};
  const svg = el("svg", {width: W, height: H, viewBox: `0 0 ${W} ${H}`, class: "chart"}, host);
  const series = opt.series || [], bands = opt.bands || [];
  const xsAll = [], ysAll = [];
  for (const s of series) { xsAll.push(...s.x); ysAll.push(...s.y); }
  for (const b of bands) { xsAll.push(...b.x); ysAll.push(...b.lo, ...b.hi); }
  for (const h of opt.hlines || []) ysAll.push(h.y);
  const logY = !!opt.logY;
  let [x0, x1] = opt.xDomain || extent(xsAll, false);
  let [y0, y1] = opt.yDomain || extent(ysAll, logY);
  if (!opt.yDomain) {
    if (logY) { y0 /= 1.3; y1 *= 1.3; } else { const p = (y1 - y0) * 0.06; y0 -= p; y1 += p; }
  }
  if (!opt.xDomain && series.some(s => s.points)) { const p = (x1 - x0) * 0.04; x0 -= p; x1 += p; }
  const pw = W - m.l - m.r, ph = H - m.t - m.b;
  if (opt.equal) {  // same units per pixel on both axes (the complex plane)
    const ux = (x1 - x0) / pw, uy = (y1 - y0) / ph, u = Math.max(ux, uy);
    const cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
    [x0, x1] = [cx - u * pw / 2, cx + u * pw / 2];
    [y0, y1] = [cy - u * ph / 2, cy + u * ph / 2];
  }
  const sx = v => m.l + (v - x0) / (x1 - x0) * pw;
  const sy = logY ? v => (v > 0 ? m.t + ph - (Math.log(v) - Math.log(y0)) / (Math.log(y1) - Math.log(y0)) * ph : NaN)
    : v => m.t + ph - (v - y0) / (y1 - y0) * ph;
  const clipId = "c" + Math.random().toString(36).slice(2);
  const defs = el("defs", {}, svg);
  el("rect", {x: m.l, y: m.t, width: pw, height: ph}, el("clipPath", {id: clipId}, defs));
  if (opt.title) el("text", {x: m.l, y: 15, class: "chart-title", text: opt.title}, svg);
  // grid and ticks
  const grid = el("g", {class: "grid"}, svg);
  let yt = logY ? logTicks(y0, y1) : linearTicks(y0, y1, 5);
  if (logY && yt.length < 2) yt = linearTicks(y0, y1, 4).filter(v => v > 0);  // a narrow range: plain steps
  for (const v of yt) {
    const Y = sy(v);
    el("line", {x1: m.l, x2: m.l + pw, y1: Y, y2: Y}, grid);
    el("text", {x: m.l - 6, y: Y + 4, class: "tick", "text-anchor": "end", text: fmt(v)}, svg);
  }
  const xt = opt.xTicks === false ? [] : opt.xDate ? dateTicks(x0, x1) : linearTicks(x0, x1, Math.max(2, Math.floor(pw / 90))).filter(v => !opt.xInteger || Number.isInteger(v)).map(v => [v, fmt(v)]);
  for (const [v, label] of xt) {
    const X = sx(v);
    el("line", {x1: X, x2: X, y1: m.t, y2: m.t + ph}, grid);
    el("text", {x: X, y: m.t + ph + 15, class: "tick", "text-anchor": "middle", text: label}, svg);
  }
  el("rect", {x: m.l, y: m.t, width: pw, height: ph, class: "frame"}, svg);
  if (opt.xLabel) el("text", {x: m.l + pw / 2, y: H - 6, class: "axis-label", "text-anchor": "middle", text: opt.xLabel}, svg);
  if (opt.yLabel) el("text", {x: 14, y: m.t + ph / 2, class: "axis-label", "text-anchor": "middle",
    transform: `rotate(-90 14 ${m.t + ph / 2})`, text: opt.yLabel}, svg);
  const plot = el("g", {"clip-path": `url(#${clipId})`}, svg);
  for (const s of opt.shade || []) {
    el("rect", {x: sx(s.from), y: m.t, width: Math.max(0, sx(s.to) - sx(s.from)), height: ph, fill: s.color, opacity: 0.12}, plot);
    if (s.label) el("text", {x: sx(s.from) + 3, y: m.t + 12, class: "tick", fill: "#333", text: s.label}, svg);
  }
  for (const b of bands) {
    const upper = pathData(b.x, b.hi, sx, sy), lower = pathData([...b.x].reverse(), [...b.lo].reverse(), sx, sy);
    if (upper && lower) el("path", {d: upper + "L" + lower.slice(1) + "Z", fill: b.color, opacity: 0.2, stroke: "none"}, plot);
  }
  for (const v of opt.vlines || []) {
    el("line", {x1: sx(v.x), x2: sx(v.x), y1: m.t, y2: m.t + ph, stroke: v.color || "#888", "stroke-dasharray": "3 3"}, plot);
  }
  for (const h of opt.hlines || []) {
    el("line", {x1: m.l, x2: m.l + pw, y1: sy(h.y), y2: sy(h.y), stroke: h.color || "#888", "stroke-dasharray": "5 3"}, plot);
    if (h.label) el("text", {x: m.l + pw - 4, y: sy(h.y) - 4, class: "tick", "text-anchor": "end", text: h.label}, svg);
  }
  const drawn = [];
  for (const s of series) {
    const g = el("g", {}, plot);
    drawn.push({g, s});
    drawSeries(g, s, s.x, s.y, sx, sy);
  }
  if (showLegend) legend(svg, named, m.l, m.t - 12, W - m.r);
  return {
    svg,
    setSeries(i, x, y) {
      const {g, s} = drawn[i];
      while (g.firstChild) g.removeChild(g.firstChild);
      drawSeries(g, s, x, y, sx, sy);
    },
  };
}

function drawSeries(g, s, xs, ys, sx, sy) {
  const color = s.color || PALETTE[0];
  if (s.line !== false) {
    el("path", {d: pathData(xs, ys, sx, sy), fill: "none", stroke: color, "stroke-width": s.width || 1.6,
      "stroke-dasharray": s.dash || "", opacity: s.opacity == null ? 1 : s.opacity, "stroke-linejoin": "round"}, g);
  }
  if (s.points) {
    for (let i = 0; i < xs.length; i++) {
      const X = sx(xs[i]), Y = sy(ys[i]);
      if (finite(X) && finite(Y)) el("circle", {cx: X, cy: Y, r: s.radius || 2.6, fill: color, opacity: s.opacity == null ? 1 : s.opacity}, g);
    }
  }
}

// Legend entries side by side above the plot, wrapping no further than `right`.
function legend(svg, series, x, y, right) {
  const g = el("g", {class: "legend"}, svg);
  let X = x;
  for (const s of series.slice(0, 10)) {
    const width = 30 + 6.4 * s.name.length;
    if (X + width > right && X > x) break;
    el("line", {x1: X, x2: X + 18, y1: y, y2: y, stroke: s.color || PALETTE[0], "stroke-width": 2.5, "stroke-dasharray": s.dash || ""}, g);
    if (s.points && s.line === false) el("circle", {cx: X + 9, cy: y, r: 3, fill: s.color || PALETTE[0]}, g);
    el("text", {x: X + 23, y: y + 4, class: "tick", text: s.name}, g);
    X += width + 10;
  }
}

// A heatmap of z (rows x cols) on a canvas, with its colour bar.
// opt: {rowLabel, colLabel, title, diverging, log, width, height, rowTicks, colTicks, colStart, rowStart}
function heatmap(host, z, opt) {
  const W = opt.width || 360, H = opt.height || 240;
  const m = {l: 66, r: 70, t: opt.title ? 22 : 8, b: 38};
  const canvas = el("canvas", {width: W, height: H, class: "chart"}, host);
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "white";
  ctx.fillRect(0, 0, W, H);
  const rows = z.length, cols = rows ? z[0].length : 0;
  const vals = [];
  for (const r of z) for (const v of r) if (finite(v) && (!opt.log || v > 0)) vals.push(opt.log ? Math.log10(v) : v);
  let lo = Math.min(...vals), hi = Math.max(...vals);
  if (!vals.length) { lo = 0; hi = 1; }
  if (opt.diverging) { const a = Math.max(Math.abs(lo), Math.abs(hi)) || 1; lo = -a; hi = a; }
  if (hi === lo) hi = lo + 1;
  const stops = opt.diverging ? DIVERGING : VIRIDIS;
  const pw = W - m.l - m.r, ph = H - m.t - m.b;
  const cw = pw / Math.max(1, cols), rh = ph / Math.max(1, rows);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) {
    let v = z[i][j];
    if (opt.log) v = v > 0 ? Math.log10(v) : NaN;
    ctx.fillStyle = finite(v) ? rgb(ramp(stops, (v - lo) / (hi - lo))) : "#bbb";
    ctx.fillRect(m.l + j * cw, m.t + i * rh, Math.ceil(cw), Math.ceil(rh));
  }
  ctx.strokeStyle = "#666";
  ctx.strokeRect(m.l, m.t, pw, ph);
  ctx.fillStyle = "#222";
  ctx.font = "11px sans-serif";
  if (opt.title) ctx.fillText(opt.title, m.l, 15);
  ctx.textAlign = "center";
  const colTicks = opt.colTicks || linearTicks(0, cols - 1, Math.min(cols, 6)).filter(v => Number.isInteger(v));
  for (const c of colTicks) ctx.fillText(String(c + (opt.colStart || 0)), m.l + (c + 0.5) * cw, m.t + ph + 13);
  if (opt.colLabel) ctx.fillText(opt.colLabel, m.l + pw / 2, H - 6);
  ctx.textAlign = "right";
  const rowTicks = opt.rowTicks || linearTicks(0, rows - 1, Math.min(rows, 6)).filter(v => Number.isInteger(v)).map(v => [v, String(v + (opt.rowStart || 0))]);
  for (const [r, label] of rowTicks) ctx.fillText(label, m.l - 5, m.t + (r + 0.5) * rh + 4);
  if (opt.rowLabel) {
    ctx.save();
    ctx.translate(12, m.t + ph / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textAlign = "center";
    ctx.fillText(opt.rowLabel, 0, 0);
    ctx.restore();
  }
  // colour bar
  const bx = W - m.r + 14, bw = 12;
  for (let k = 0; k < ph; k++) {
    ctx.fillStyle = rgb(ramp(stops, 1 - k / ph));
    ctx.fillRect(bx, m.t + k, bw, 1.5);
  }
  ctx.strokeRect(bx, m.t, bw, ph);
  ctx.fillStyle = "#222";
  ctx.textAlign = "left";
  const label = v => opt.log ? fmt(Math.pow(10, v)) : fmt(v);
  ctx.fillText(label(hi), bx + bw + 3, m.t + 9);
  ctx.fillText(label((lo + hi) / 2), bx + bw + 3, m.t + ph / 2 + 4);
  ctx.fillText(label(lo), bx + bw + 3, m.t + ph);
  return canvas;
}

function dataTable(host, header, rows, opt) {
  const table = el("table", {class: "data"}, host);
  const head = el("tr", {}, el("thead", {}, table));
  for (const h of header) el("th", {text: h}, head);
  const body = el("tbody", {}, table);
  rows.forEach((r, i) => {
    const tr = el("tr", (opt && opt.highlight === i) ? {class: "best"} : {}, body);
    for (const c of r) el("td", {text: typeof c === "number" ? fmt(c) : (c == null ? "" : String(c))}, tr);
  });
  return table;
}
