// backsim live: columns of levers, live charts, all drawn here as SVG from /api/simulate.
// No library, no external URL: the binary serves this file.
"use strict";

// The charts' scenario colours (Paul Tol's "muted", src/output/charts/common.rs PALETTE; a test ties them).
const PALETTE = ["#332288", "#CC6677", "#117733", "#88CCEE", "#882255", "#44AA99", "#999933", "#AA4499", "#DDCC77"];
const KPIS = [
  ["value_efficiency", "Value efficiency", 3],
  ["release_delay_sprints", "Release delay (sprints)", 2],
  ["decision_wait_share", "Decision wait share", 3],
];
const state = {
  session: null, shown: [], params: {}, result: null, generation: 0,
  client: "page-" + Math.random().toString(36).slice(2) + Date.now().toString(36),
  controller: null, timer: null, trace: null,
};
const $ = (s, el = document) => el.querySelector(s);
const el = (tag, attrs = {}, ...kids) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v; else if (k === "text") e.textContent = v; else e.setAttribute(k, v);
  }
  for (const k of kids) e.append(k);
  return e;
};
const colour = (i) => PALETTE[i % PALETTE.length];

function fmt(x, digits = 3) {
  if (x === null || x === undefined) return "–";
  if (typeof x === "string") return x; // a censored quantile, e.g. ">20"
  const a = Math.abs(x);
  if (a >= 1000) return x.toFixed(0);
  if (a >= 100) return x.toFixed(1);
  return x.toFixed(digits);
}

// A share of runs as a percentage, as the report writes it: whole, except that a share that
// is not all or none never reads "100" or "0" (0.996 is "99.6").
function runsPct(p) {
  const x = 100 * p;
  const whole = Math.round(x);
  if (p > 0 && p < 1 && (whole === 100 || whole === 0)) {
    if (x >= 99.95) return ">99.9";
    if (x < 0.05) return "<0.1";
    return x.toFixed(1);
  }
  return String(whole);
}

// ---- requests -------------------------------------------------------------------------

async function api(path, body) {
  const opts = body === undefined ? {} : { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
  if (body && body.generation !== undefined) opts.signal = body.signal;
  const r = await fetch(path, opts);
  const text = await r.text();
  let data;
  try { data = JSON.parse(text); } catch (_) { data = text; }
  return { status: r.status, data };
}

function showError(msg) {
  const e = $("#error");
  e.textContent = msg || "";
  e.hidden = !msg;
}

function request() {
  const params = {};
  for (const name of state.shown) if (Object.keys(state.params[name] || {}).length) params[name] = state.params[name];
  return { scenarios: state.shown, runs: Number($("#runs").value), seed: Number($("#seed").value), params };
}

// Re-simulate soon; a newer call supersedes an older one (the server stops the old one too).
function schedule(delay = 40) {
  clearTimeout(state.timer);
  state.timer = setTimeout(simulate, delay);
}

async function simulate() {
  const gen = ++state.generation;
  if (state.controller) state.controller.abort();
  const controller = new AbortController();
  state.controller = controller;
  document.body.classList.add("busy");
  $("#status").textContent = "simulating…";
  const body = { ...request(), client: state.client, generation: gen };
  try {
    const r = await fetch("/api/simulate", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body), signal: controller.signal,
    });
    const data = await r.json();
    if (gen !== state.generation) return; // a newer request is on its way
    if (r.status === 409) return;
    if (r.status !== 200) { showError(data.error || ("HTTP " + r.status)); $("#status").textContent = "error"; return; }
    showError("");
    state.result = data;
    render();
    $("#status").textContent = `${data.runs} runs × ${data.scenarios.length} scenarios, seed ${data.seed}: ${Math.round(data.elapsed_ms)} ms`;
  } catch (e) {
    if (e.name !== "AbortError") { showError("cannot reach backsim serve: " + e.message); $("#status").textContent = "offline"; }
  } finally {
    if (gen === state.generation) document.body.classList.remove("busy");
  }
}

// ---- columns and levers ---------------------------------------------------------------

function buildColumns() {
  const root = $("#columns");
  root.textContent = "";
  state.shown.forEach((name, i) => {
    const sc = state.session.scenarios.find((s) => s.name === name);
    const col = el("article", { class: "col", "data-scenario": name, style: `--c:${colour(i)}` });
    col.append(el("h2", {}, el("span", { class: "dot" }), el("span", { text: name })));
    col.append(el("p", { class: "desc", text: sc.description }));
    for (const [metric, label] of KPIS) {
      col.append(el("div", { class: "kpi", "data-metric": metric },
        el("span", { class: "label", text: label }),
        el("span", { class: "value num", text: "…" }),
        el("span", { class: "ci num" }),
        el("span", { class: "delta num" })));
    }
    const groups = [["roles", "Roles & structure", true], ["world", "The world (assumptions)", false]];
    for (const [group, title, open] of groups) {
      const levers = sc.levers.filter((l) => l.group === group);
      if (!levers.length) continue;
      const d = el("details", open ? { open: "" } : {}, el("summary", { text: `${title} (${levers.length})` }));
      for (const l of levers) d.append(leverControl(name, l));
      col.append(d);
    }
    const actions = el("div", { class: "actions" });
    const save = el("button", { type: "button", class: "save-toml", text: "Save .toml" });
    save.addEventListener("click", () => saveToml(name));
    const trace = el("button", { type: "button", class: "show-trace", text: "Trace run 1" });
    trace.addEventListener("click", () => openTrace(name));
    actions.append(save, trace);
    col.append(actions);
    root.append(col);
  });
}

function leverControl(name, l) {
  const input = el("input", { type: "range", min: l.min, max: l.max, step: l.step, value: l.value, "data-key": l.key, "aria-label": `${name}: ${l.label}` });
  const shown = el("span", { class: "num", text: fmt(l.value, l.integer ? 0 : 3) });
  const box = el("div", { class: "lever", title: `${l.key} (${l.unit}); file value ${l.value}` },
    el("div", { class: "row" }, el("b", { text: l.label }), shown),
    input, el("div", { class: "unit", text: `${l.unit === "–" ? "" : l.unit + " · "}${fmt(l.min, 2)}–${fmt(l.max, 2)}` }));
  input.addEventListener("input", () => {
    const v = Number(input.value);
    shown.textContent = fmt(v, l.integer ? 0 : 3);
    const p = state.params[name] || (state.params[name] = {});
    if (Math.abs(v - l.value) < 1e-12) delete p[l.key]; else p[l.key] = v;
    box.classList.toggle("changed", l.key in p);
    schedule();
  });
  return box;
}

function render() {
  const res = state.result;
  const metric = $("#metric").value;
  for (const sc of res.scenarios) {
    const col = document.querySelector(`.col[data-scenario="${CSS.escape(sc.name)}"]`);
    if (!col) continue;
    for (const [m, , digits] of KPIS) {
      const k = col.querySelector(`.kpi[data-metric="${m}"]`);
      const s = sc.metrics[m];
      k.querySelector(".value").textContent = fmt(s.mean, digits);
      k.querySelector(".ci").textContent = s.mean === null ? "no run finished" : `[${fmt(s.ci95_low, digits)}, ${fmt(s.ci95_high, digits)}]`;
      const d = sc.diff[m];
      const delta = k.querySelector(".delta");
      if (sc.name === res.baseline) { delta.textContent = "baseline"; delta.className = "delta num"; continue; }
      const v = verdict(d);
      delta.className = "delta num " + v;
      delta.textContent = d.mean_diff === null ? "" : `Δ ${d.mean_diff >= 0 ? "+" : ""}${fmt(d.mean_diff, digits)} [${fmt(d.ci95_low, digits)}, ${fmt(d.ci95_high, digits)}]`;
    }
  }
  for (const e of document.querySelectorAll(".baseline-name")) e.textContent = res.baseline;
  for (const e of document.querySelectorAll(".metric-name")) e.textContent = "on " + metric;
  $("#chart-diff .chart").innerHTML = diffChart(res, metric);
  $("#chart-cdf .chart").innerHTML = cdfChart(res);
  $("#chart-value .chart").innerHTML = intervalChart(res, "value_efficiency");
  $("#chart-wait .chart").innerHTML = bandChart(res, "decision_wait_hours");
  $("#chart-flow .chart").innerHTML = bandChart(res, $("#flow-series").value);
  fitCaptions();
  fitLabels();
  // How many answers the page has drawn (the browser test waits on it).
  document.body.dataset.rendered = String(Number(document.body.dataset.rendered || 0) + 1);
}

function verdict(d) {
  if (d.ci95_low === null || d.ci95_high === null) return "unclear";
  const up = d.ci95_low > 0, down = d.ci95_high < 0;
  if (!up && !down) return "unclear";
  return (up === (d.better_when === "higher")) ? "better" : "worse";
}

// ---- SVG charts -----------------------------------------------------------------------

const W = 440;
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]));

function ticks(lo, hi, n = 5) {
  if (!(hi > lo)) { hi = lo + 1; }
  const raw = (hi - lo) / n, p = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map((k) => k * p).find((s) => s >= raw);
  const out = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) out.push(Math.abs(t) < step * 1e-9 ? 0 : t);
  return out;
}
const tickText = (t) => (Math.abs(t) >= 100 ? t.toFixed(0) : String(Number(t.toPrecision(3))));

// The strip under a chart's tick labels that holds its x caption, in pixels.
const XLABEL_STRIP = 10;

// The frame of a chart `h` high (its caption's strip, if any, comes under it: draw the chart
// `f.h` high).
function frame(h, x0, x1, y0, y1, opts = {}) {
  const m = { l: opts.left || 46, r: 12, t: opts.top || 8, b: 30 };
  const sx = (x) => m.l + (x - x0) / (x1 - x0 || 1) * (W - m.l - m.r);
  const sy = (y) => h - m.b - (y - y0) / (y1 - y0 || 1) * (h - m.t - m.b);
  let g = "";
  if (!opts.noY) for (const t of ticks(y0, y1, 4)) g += `<line x1="${m.l}" x2="${W - m.r}" y1="${sy(t)}" y2="${sy(t)}" stroke="#e1e1e1"/><text x="${m.l - 5}" y="${sy(t) + 4}" text-anchor="end" font-size="12" fill="#333">${tickText(t)}</text>`;
  for (const t of ticks(x0, x1, 6)) g += `<line x1="${sx(t)}" x2="${sx(t)}" y1="${h - m.b}" y2="${h - m.b + 4}" stroke="#333"/><text x="${sx(t)}" y="${h - m.b + 17}" text-anchor="middle" font-size="12" fill="#333">${tickText(t)}</text>`;
  g += `<line x1="${m.l}" x2="${W - m.r}" y1="${h - m.b}" y2="${h - m.b}" stroke="#333"/>`;
  if (!opts.xlabel) return { sx, sy, g, m, h };
  // The x caption goes on a strip of its own under the tick labels, so that neither its
  // descenders nor the ticks' overlap or leave the chart (fitCaptions sets a long one smaller).
  g += `<text class="xlabel" x="${W - m.r}" y="${h + 4}" text-anchor="end" font-size="12" fill="#333">${esc(opts.xlabel)}</text>`;
  return { sx, sy, g, m, h: h + XLABEL_STRIP };
}

// Set smaller an x caption wider than its chart (a long metric or scenario name), so that it
// never runs past the chart's left edge.
function fitCaptions() {
  for (const t of document.querySelectorAll("#charts text.xlabel")) {
    const room = W - 16, len = t.getComputedTextLength();
    if (len > room) t.setAttribute("font-size", String(+((12 * room) / len).toFixed(2)));
  }
}

const svg = (h, body, label) => `<svg viewBox="0 0 ${W} ${h}" role="img" aria-label="${esc(label)}" xmlns="http://www.w3.org/2000/svg">${body}</svg>`;

function diffChart(res, metric) {
  const rows = res.scenarios.filter((s) => s.name !== res.baseline);
  const h = 26 + 34 * Math.max(rows.length, 1) + 30;
  if (!rows.length) return svg(60, `<text x="10" y="30" font-size="14">Add a second scenario to compare.</text>`, "no comparison");
  const vals = rows.flatMap((s) => [s.diff[metric].ci95_low, s.diff[metric].ci95_high, s.diff[metric].mean_diff]).filter((v) => v !== null);
  let lo = Math.min(0, ...vals), hi = Math.max(0, ...vals);
  const pad = (hi - lo) * 0.08 || 0.01; lo -= pad; hi += pad;
  const f = frame(h, lo, hi, 0, rows.length, { left: 128, noY: true, xlabel: `${metric}: scenario − ${res.baseline}` });
  let b = f.g + `<line x1="${f.sx(0)}" x2="${f.sx(0)}" y1="${f.m.t}" y2="${h - f.m.b}" stroke="#000" stroke-width="2" stroke-dasharray="4 3"/>`;
  rows.forEach((s, i) => {
    const d = s.diff[metric], y = f.m.t + 20 + 34 * i;
    const c = { better: "#009E73", worse: "#D55E00", unclear: "#6e6e6e" }[verdict(d)];
    const idx = res.scenarios.indexOf(s);
    b += rowLabel(f, y, colour(idx), s.name);
    if (d.mean_diff === null) { b += `<text x="${f.m.l + 6}" y="${y + 5}" font-size="13">no paired runs</text>`; return; }
    b += `<line x1="${f.sx(d.ci95_low)}" x2="${f.sx(d.ci95_high)}" y1="${y}" y2="${y}" stroke="${c}" stroke-width="6" stroke-linecap="round"/>`;
    b += `<circle cx="${f.sx(d.mean_diff)}" cy="${y}" r="7" fill="#fff" stroke="${c}" stroke-width="3"><title>${esc(s.name)}: ${fmt(d.mean_diff)} [${fmt(d.ci95_low)}, ${fmt(d.ci95_high)}], better in ${runsPct(d.better_share || 0)} % of runs</title></circle>`;
  });
  return svg(f.h, b, "paired differences");
}

function cdfChart(res) {
  const h = 210;
  const xs = res.scenarios.flatMap((s) => s.release_delay_cdf.map((p) => p[0]));
  if (!xs.length) return svg(60, `<text x="10" y="30" font-size="14">No run finished its release in the horizon.</text>`, "release delay");
  const x0 = Math.min(0, ...xs), x1 = Math.max(1, ...xs);
  const f = frame(h, x0, x1, 0, 1, { top: 26, xlabel: "sprints after the planned sprint" });
  let b = f.g;
  res.scenarios.forEach((s, i) => {
    if (!s.release_delay_cdf.length) return;
    let d = `M${f.sx(x0)},${f.sy(0)}`, last = 0;
    for (const [x, p] of s.release_delay_cdf) { d += ` H${f.sx(x)} V${f.sy(p)}`; last = p; }
    d += ` H${f.sx(x1)}`;
    b += `<path d="${d}" fill="none" stroke="${colour(i)}" stroke-width="3"><title>${esc(s.name)}: ${runsPct(last)} % of runs finished</title></path>`;
  });
  return svg(f.h, b + legend(res, f), "release delay CDF");
}

// The scenarios' keys in a row at the chart's top; fitLabels places them by their drawn
// widths and shortens names that would not fit (the full name is the entry's tooltip).
function legend(res, f) {
  let b = "", x = 6;
  res.scenarios.forEach((s, i) => {
    b += `<g class="legend"><title>${esc(s.name)}</title><rect x="${x}" y="2" width="12" height="12" fill="${colour(i)}"/><text x="${x + 16}" y="13" font-size="12" fill="#222">${esc(s.name)}</text></g>`;
    x += 24 + 7.2 * s.name.length;
  });
  return b;
}

// A scenario's name left of its row (fitLabels shortens one wider than the margin).
const rowLabel = (f, y, fill, name) => `<g class="rowlabel"><title>${esc(name)}</title><text x="${f.m.l - 8}" y="${y + 5}" text-anchor="end" font-size="13" font-weight="bold" fill="${fill}">${esc(name)}</text></g>`;

// `t`'s text cut to fit `room` pixels, with an ellipsis (unchanged if it fits).
function shorten(t, room) {
  const full = t.textContent;
  if (t.getComputedTextLength() <= room) return;
  let lo = 0, hi = full.length;
  while (lo < hi) { // the longest prefix that fits with its ellipsis
    const k = Math.ceil((lo + hi) / 2);
    t.textContent = full.slice(0, k) + "…";
    if (t.getComputedTextLength() <= room) lo = k; else hi = k - 1;
  }
  t.textContent = full.slice(0, lo) + "…";
}

// Legends and row labels by their drawn widths: a legend's entries share the chart's width
// (a name longer than its share is shortened, the shorter ones keep theirs), and a row label
// keeps inside the left margin.
function fitLabels() {
  const GAP = 28; // key 12, space 4, and 12 to the next entry
  for (const chart of document.querySelectorAll("#charts svg")) {
    const entries = [...chart.querySelectorAll("g.legend")];
    if (entries.length) {
      const texts = entries.map((e) => e.querySelector("text"));
      const widths = texts.map((t) => t.getComputedTextLength());
      let room = W - 6 - 12 - GAP * entries.length + 12, cap = Infinity;
      // The largest cap with the capped widths within the room (water-filling).
      const sorted = [...widths].sort((a, b) => a - b);
      if (sorted.reduce((a, w) => a + w, 0) > room) {
        let left = room;
        for (let k = 0; k < sorted.length; k++) {
          const share = left / (sorted.length - k);
          if (sorted[k] > share) { cap = share; break; }
          left -= sorted[k];
        }
      }
      let x = 6;
      entries.forEach((e, i) => {
        shorten(texts[i], cap);
        e.querySelector("rect").setAttribute("x", String(x));
        texts[i].setAttribute("x", String(x + 16));
        x += GAP + texts[i].getComputedTextLength();
      });
    }
    for (const t of chart.querySelectorAll("g.rowlabel text")) shorten(t, +t.getAttribute("x") - 2);
  }
}

function intervalChart(res, metric) {
  const n = res.scenarios.length, h = 30 + 30 * n + 30;
  const vals = res.scenarios.flatMap((s) => { const m = s.metrics[metric]; return [m.ci95_low, m.ci95_high, m.p50, m.p85].filter((v) => typeof v === "number"); });
  if (!vals.length) return svg(60, `<text x="10" y="30" font-size="14">No values.</text>`, metric);
  let lo = Math.min(...vals), hi = Math.max(...vals);
  const pad = (hi - lo) * 0.1 || 0.05; lo -= pad; hi += pad;
  const f = frame(h, lo, hi, 0, n, { left: 128, noY: true, xlabel: metric });
  let b = f.g;
  res.scenarios.forEach((s, i) => {
    const m = s.metrics[metric], y = f.m.t + 18 + 30 * i;
    b += rowLabel(f, y, colour(i), s.name);
    if (m.mean === null) return;
    b += `<line x1="${f.sx(m.ci95_low)}" x2="${f.sx(m.ci95_high)}" y1="${y}" y2="${y}" stroke="${colour(i)}" stroke-width="8"/>`;
    b += `<circle cx="${f.sx(m.mean)}" cy="${y}" r="6" fill="#fff" stroke="#000" stroke-width="2"><title>${esc(s.name)}: mean ${fmt(m.mean)} [${fmt(m.ci95_low)}, ${fmt(m.ci95_high)}]</title></circle>`;
    for (const [q, mark] of [[m.p50, "p50"], [m.p85, "p85"]]) {
      if (typeof q !== "number") continue;
      b += `<line x1="${f.sx(q)}" x2="${f.sx(q)}" y1="${y - 10}" y2="${y + 10}" stroke="#000" stroke-width="2"/><text x="${f.sx(q)}" y="${y - 12}" text-anchor="middle" font-size="10">${mark}</text>`;
    }
  });
  return svg(f.h, b, metric);
}

function bandChart(res, series) {
  const h = 200;
  const all = res.scenarios.flatMap((s) => { const b = s.bands[series]; return b ? [...b.p10, ...b.p90, ...b.mean] : []; }).filter((v) => v !== null);
  if (!all.length) return svg(60, `<text x="10" y="30" font-size="14">${esc(series)}: not in these models.</text>`, series);
  const sprints = Math.max(...res.scenarios.map((s) => s.sprints));
  const f = frame(h, 1, sprints, Math.min(0, ...all), Math.max(...all) * 1.05 || 1, { top: 26, xlabel: "sprint" });
  let b = f.g;
  res.scenarios.forEach((s, i) => {
    const band = s.bands[series];
    if (!band) return;
    const pts = (arr) => arr.map((v, k) => (v === null ? null : [f.sx(k + 1), f.sy(v)])).filter((p) => p);
    const up = pts(band.p90), down = pts(band.p10).reverse();
    if (up.length) b += `<path d="M${up.concat(down).map((p) => p.join(",")).join(" L")} Z" fill="${colour(i)}" opacity="0.16"/>`;
    const mean = pts(band.mean);
    if (mean.length) b += `<path d="M${mean.map((p) => p.join(",")).join(" L")}" fill="none" stroke="${colour(i)}" stroke-width="3"><title>${esc(s.name)}</title></path>`;
  });
  return svg(f.h, b + legend(res, f), series);
}

// ---- saving ---------------------------------------------------------------------------

function download(name, text, type) {
  const a = el("a", { href: URL.createObjectURL(new Blob([text], { type })), download: name });
  document.body.append(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
}

async function saveToml(name) {
  const r = await api("/api/scenario", { scenario: name, params: state.params[name] || {}, seed: Number($("#seed").value) });
  if (r.status !== 200) { showError(r.data.error || String(r.data)); return; }
  download(`${name}.toml`, r.data, "application/toml");
}

async function reportHtml() {
  const res = state.result;
  const css = await (await fetch("app.css")).text();
  const rows = res.scenarios.map((s, i) => {
    const changed = Object.entries(state.params[s.name] || {}).map(([k, v]) => `${k} = ${v}`).join(", ") || "as in the file";
    const cells = KPIS.map(([m, , d]) => {
      const x = s.metrics[m], df = s.diff[m];
      const delta = s.name === res.baseline ? "baseline" : `Δ ${fmt(df.mean_diff, d)} [${fmt(df.ci95_low, d)}, ${fmt(df.ci95_high, d)}]`;
      return `<td>${fmt(x.mean, d)} [${fmt(x.ci95_low, d)}, ${fmt(x.ci95_high, d)}]<br>p50 ${fmt(x.p50, d)} · p85 ${fmt(x.p85, d)}<br><small>${esc(delta)}</small></td>`;
    }).join("");
    return `<tr><th style="color:${colour(i)}">${esc(s.name)}</th><td>${esc(changed)}</td>${cells}</tr>`;
  }).join("\n");
  const figs = [...document.querySelectorAll("#charts figure")].map((f) => {
    const cap = f.querySelector("figcaption").cloneNode(true);
    for (const s of cap.querySelectorAll("select")) s.replaceWith(s.value);
    return `<figure><figcaption>${cap.innerHTML}</figcaption>${f.querySelector(".chart").innerHTML}</figure>`;
  }).join("\n");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>backsim live: report</title>
<style>${css}
body { padding: 1rem 2rem; max-width: 1100px; } table { border-collapse: collapse; margin: 1rem 0; } td, th { border: 1px solid #c8c8c8; padding: .3rem .5rem; text-align: left; vertical-align: top; font-size: .95rem; }
figure { max-width: 640px; }</style></head><body>
<h1>backsim live: the state of the page</h1>
<p>${res.runs} runs per scenario, seed ${res.seed}, common random numbers (every scenario lives the same worlds); baseline <b>${esc(res.baseline)}</b>. Saved ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC from <code>backsim serve</code> ${esc(state.session.version)}. Intervals are 95 % confidence intervals of the mean; Δ is the paired difference to the baseline.</p>
<table><tr><th>scenario</th><th>levers moved</th>${KPIS.map(([, l]) => `<th>${esc(l)}</th>`).join("")}</tr>
${rows}</table>
${figs}
</body></html>`;
}

// ---- trace ----------------------------------------------------------------------------

function inline(md) {
  return esc(md).replace(/\*\*(.+?)\*\*/g, "<b>$1</b>").replace(/`(.+?)`/g, "<code>$1</code>");
}

function markdownHtml(md) {
  let html = "", list = false, table = [];
  const flushTable = () => {
    if (!table.length) return;
    const rows = table.filter((r) => !/^\|[-| ]+\|$/.test(r)).map((r) => r.replace(/^\||\|$/g, "").split("|").map((c) => c.trim()));
    html += "<table>" + rows.map((r, i) => "<tr>" + r.map((c) => (i === 0 ? `<th>${inline(c)}</th>` : `<td>${inline(c)}</td>`)).join("") + "</tr>").join("") + "</table>";
    table = [];
  };
  for (const line of md.split("\n")) {
    if (line.startsWith("|")) { table.push(line.trim()); continue; }
    flushTable();
    if (line.startsWith("- ")) { if (!list) { html += "<ul>"; list = true; } html += `<li>${inline(line.slice(2))}</li>`; continue; }
    if (list) { html += "</ul>"; list = false; }
    if (line.startsWith("## ")) html += `<h3>${inline(line.slice(3))}</h3>`;
    else if (line.startsWith("# ")) html += `<h3>${inline(line.slice(2))}</h3>`;
    else if (line.trim()) html += `<p>${inline(line)}</p>`;
  }
  flushTable();
  if (list) html += "</ul>";
  return html;
}

async function openTrace(name) {
  const r = await api("/api/trace", { scenario: name, params: state.params[name] || {}, seed: Number($("#seed").value), run: 1 });
  if (r.status !== 200) { showError(r.data.error || String(r.data)); return; }
  const parts = r.data.markdown.split(/\n(?=## )/);
  state.trace = { head: parts[0], sprints: parts.slice(1), at: 0, all: false };
  $("#trace-title").textContent = `Run 1 of ${name}, sprint by sprint`;
  $("#trace-head").innerHTML = markdownHtml(parts[0]);
  $("#trace").hidden = false;
  showSprint();
  $("#trace-next").focus();
}

function showSprint() {
  const t = state.trace;
  if (!t) return;
  $("#trace-pos").textContent = t.all ? "all sprints" : `sprint ${t.at + 1} of ${t.sprints.length}`;
  $("#trace-body").innerHTML = markdownHtml(t.all ? t.sprints.join("\n") : t.sprints[t.at] || "");
}

function stepTrace(d) {
  const t = state.trace;
  t.all = false;
  t.at = Math.max(0, Math.min(t.sprints.length - 1, t.at + d));
  showSprint();
}

// ---- start ----------------------------------------------------------------------------

async function start() {
  const r = await api("/api/session");
  state.session = r.data;
  state.shown = r.data.scenarios.filter((s) => s.shown).map((s) => s.name);
  $("#seed").value = r.data.seed;
  for (const m of r.data.metrics) $("#metric").append(el("option", { value: m.name, text: m.name }));
  $("#metric").value = "value_efficiency";
  for (const s of ["velocity", "done", "committed", "backlog_size", "ready_items", "cumulative_value", "tech_debt", "escaped_defects", "priority_churn", "roadmap_change"]) $("#flow-series").append(el("option", { value: s, text: s }));
  buildColumns();
  $("#runs").addEventListener("change", () => schedule(0));
  $("#seed").addEventListener("change", () => schedule(0));
  $("#metric").addEventListener("change", () => state.result && render());
  $("#flow-series").addEventListener("change", () => state.result && render());
  const reveal = $("#reveal");
  const toggle = () => {
    const hide = !document.body.classList.contains("hide");
    document.body.classList.toggle("hide", hide);
    reveal.textContent = hide ? "Reveal numbers" : "Hide numbers";
    reveal.setAttribute("aria-pressed", String(!hide));
  };
  reveal.addEventListener("click", toggle);
  $("#reset").addEventListener("click", () => { state.params = {}; buildColumns(); schedule(0); });
  $("#save-report").addEventListener("click", async () => { if (state.result) download("report.html", await reportHtml(), "text/html"); });
  $("#trace-prev").addEventListener("click", () => stepTrace(-1));
  $("#trace-next").addEventListener("click", () => stepTrace(1));
  $("#trace-all").addEventListener("click", () => { state.trace.all = true; showSprint(); });
  $("#trace-close").addEventListener("click", () => { $("#trace").hidden = true; });
  document.addEventListener("keydown", (e) => {
    if (!$("#trace").hidden) {
      if (e.key === "ArrowRight") stepTrace(1);
      else if (e.key === "ArrowLeft") stepTrace(-1);
      else if (e.key === "Escape") $("#trace").hidden = true;
      return;
    }
    if ((e.key === "h" || e.key === "H") && !(e.target instanceof HTMLInputElement)) toggle();
  });
  await simulate();
}

start().catch((e) => showError("backsim serve did not answer: " + e.message));
