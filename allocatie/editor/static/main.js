// The editor page: state, tools, undo/redo, live figures, jobs ("Maak af", "Herstel",
// boundary prices), variants and saving. Talks to the server through api.js only.
import * as api from "./api.js";
import { decimal, eur, escapeHtml as h, percent, setLocale } from "./format.js";
import { History } from "./history.js";
import { LotMap } from "./map.js";
import { renderBinding, renderLots, renderProblems, renderTotals, renderVariants }
  from "./panel.js";

const state = {
  inst: null, drawing: {}, locked: new Set(), active: "1", tool: "paint",
  figures: null, history: new History(), edit: 0, shown: 0, snapshots: [],
  optimum: null, job: null, pricesOn: false,
};
let map;
let t;

async function start() {
  const [inst, saved] = await Promise.all([api.getInstance(), api.getState()]);
  state.inst = inst;
  t = inst.texts;
  setLocale(inst.lang);
  document.documentElement.lang = inst.lang;
  document.title = `${t.title} – ${inst.name}`;
  document.getElementById("title").textContent = t.title;
  document.getElementById("instance-name").textContent = inst.name;
  document.getElementById("help").textContent = t.help;
  state.drawing = saved.assignment;
  state.locked = new Set(saved.locked);
  state.snapshots = saved.snapshots;
  state.optimum = saved.optimum;
  map = new LotMap(document.getElementById("map"), inst, {
    stroke: (ids) => applyStroke(ids),
    preview: (ids) => map.preview(ids, state.tool === "erase" ? null : state.active),
    isLocked: (lot) => state.locked.has(lot),
  });
  window.allocatieEditor = { screenPoint: (id) => map.screenPoint(id),
                             drawing: () => ({ ...state.drawing }),
                             shownEdit: () => state.shown, edit: () => state.edit };
  renderToolbar();
  if (saved.draft) showDraft(saved.draft);
  document.addEventListener("keydown", onKey);
  await refresh();
}

// ------------------------------------------------------------------ edits
function targets(ids) {
  if (state.tool !== "wijk") return ids;
  const wijken = new Set(ids.map((id) => wijkOf(id)));
  return state.inst.district_ids.filter((d) => wijken.has(wijkOf(d)));
}

function wijkOf(id) {
  const f = state.inst.districts.features.find((x) => x.id === id);
  return f ? f.properties.wijk : id;
}

function applyStroke(ids) {
  const lot = state.tool === "erase" ? null : state.active;
  if (lot && state.locked.has(lot)) { flash(`${t.lot} ${lot}: ${t.locked}`); map.setDrawing(state.drawing); return; }
  const next = { ...state.drawing };
  let changed = false;
  let blocked = false;
  for (const id of targets(ids)) {
    const own = next[id];
    if (own && state.locked.has(own)) { blocked = true; continue; }
    if (lot === null) { if (own) { delete next[id]; changed = true; } }
    else if (own !== lot) { next[id] = lot; changed = true; }
  }
  if (blocked) flash(`${t.locked}: ${t.unlock}?`);
  if (!changed) { map.setDrawing(state.drawing); return; }
  state.history.push(state.drawing);
  setDrawing(next);
}

function setDrawing(next) {
  state.drawing = next;
  map.setDrawing(state.drawing);
  if (state.pricesOn) { state.pricesOn = false; map.setPrices(null); renderToolbar(); }
  refresh();
}

function undo() {
  const previous = state.history.undo(state.drawing);
  if (previous) setDrawing(previous);
  renderToolbar();
}

function redo() {
  const next = state.history.redo(state.drawing);
  if (next) setDrawing(next);
  renderToolbar();
}

function onKey(e) {
  if (e.target && ["INPUT", "TEXTAREA"].includes(e.target.tagName)) return;
  const key = e.key.toLowerCase();
  if ((e.ctrlKey || e.metaKey) && key === "z" && !e.shiftKey) { e.preventDefault(); undo(); }
  else if ((e.ctrlKey || e.metaKey) && (key === "y" || (key === "z" && e.shiftKey))) {
    e.preventDefault(); redo();
  } else if (/^[1-9]$/.test(e.key) && !e.ctrlKey && !e.metaKey &&
             state.inst.lots.includes(e.key)) {
    state.active = e.key; renderToolbar();
  }
}

async function refresh() {
  const edit = ++state.edit;
  setStatus(t.busy);
  renderToolbar();
  try {
    const f = await api.evaluate(state.drawing);
    if (f.superseded || edit !== state.edit) return; // a newer edit is on its way
    state.figures = f;
    state.shown = edit;
    map.setDrawing(state.drawing, f);
    renderAll();
    setStatus("");
    refreshBinding(edit);
  } catch (error) {
    if (edit === state.edit) setStatus(`${t.error}: ${error.message}`, true);
  }
}

// The rules that bind need two more awards: they follow the figures in a request of their own.
async function refreshBinding(edit) {
  try {
    const answer = await api.binding(state.drawing);
    if (answer.superseded || edit !== state.edit || !state.figures) return;
    state.figures.binding = answer.binding;
    renderBinding(document.getElementById("binding"), state.figures, state.inst);
  } catch (error) { /* the next edit asks again */ }
}

function renderAll() {
  const f = state.figures;
  renderTotals(document.getElementById("totals"), f, state.inst, state.optimum);
  renderProblems(document.getElementById("problems"), f, state.inst);
  renderLots(document.getElementById("lot-table"), f, state.inst, state.locked);
  document.querySelectorAll("#lot-table tr[data-lot]").forEach((row) => row.addEventListener(
    "click", () => { state.active = row.dataset.lot; state.tool = "paint"; renderToolbar(); }));
  renderBinding(document.getElementById("binding"), f, state.inst);
  const current = f ? summary(f) : null;
  renderVariants(document.getElementById("variants"), state.snapshots, current, state.optimum,
                 state.inst, { snapshot, load: loadSnapshot, remove: removeSnapshot });
  renderToolbar();
}

function summary(f) {
  const sizes = f.lots.map((l) => l.clients);
  return { objective: f.objective, cost: f.cost, transitions: f.transitions,
           feasible: f.feasible,
           balance: sizes.length && Math.max(...sizes) ? Math.min(...sizes) / Math.max(...sizes) : null };
}

// ------------------------------------------------------------------ toolbar
export function padlock(closed) {
  const shackle = closed ? "M5 7V5a3 3 0 0 1 6 0v2" : "M5 7V5a3 3 0 0 1 6 0";
  return `<svg class="padlock" viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
    <path d="${shackle}" fill="none" stroke="currentColor" stroke-width="1.8"/>
    <rect x="3" y="7" width="10" height="7" rx="1.5" fill="currentColor"/></svg>`;
}

function renderToolbar() {
  const el = document.getElementById("toolbar");
  const inst = state.inst;
  const busy = state.job !== null;
  const lots = inst.lots.map((lot) => {
    const locked = state.locked.has(lot);
    return `<span class="lot-button ${lot === state.active ? "active" : ""}">
      <button class="lot" data-lot="${h(lot)}" style="--c:${inst.colours[lot]}"
        aria-pressed="${lot === state.active}" title="${h(t.active_lot)} ${h(lot)}">${h(lot)}</button>
      <button class="lock" data-lock="${h(lot)}" aria-pressed="${locked}"
        title="${h(locked ? t.unlock : t.lock)} ${h(t.lot.toLowerCase())} ${h(lot)}">${padlock(locked)}</button></span>`;
  }).join("");
  const tool = (key, label) => `<button class="tool" data-tool="${key}"
      aria-pressed="${state.tool === key}">${h(label)}</button>`;
  el.innerHTML = `<div class="row"><span class="label">${h(t.active_lot)}</span>${lots}</div>
    <div class="row"><span class="label">${h(t.tools)}</span>${tool("paint", t.tool_paint)}
      ${inst.has_wijken ? tool("wijk", t.tool_wijk) : ""}${tool("erase", t.tool_erase)}
      <button id="undo" ${state.history.canUndo ? "" : "disabled"} title="Ctrl-Z">↶ ${h(t.undo)}</button>
      <button id="redo" ${state.history.canRedo ? "" : "disabled"} title="Ctrl-Y">↷ ${h(t.redo)}</button></div>
    <div class="row actions">
      <button id="complete" class="primary" ${busy ? "disabled" : ""} title="${h(t.complete_hint)}">${h(t.complete)}</button>
      <label class="small">${h(t.time_limit)} <input id="time-limit" type="number" min="1" max="600"
        value="${state.timeLimit || inst.time_limit_s}"></label>
      <button id="repair" ${busy ? "disabled" : ""} title="${h(t.repair_hint)}">${h(t.repair)}</button>
      <button id="prices" ${busy ? "disabled" : ""} aria-pressed="${state.pricesOn}"
        title="${h(t.prices_hint)}">${h(t.prices)}</button>
      <button id="save" ${busy ? "disabled" : ""}>${h(t.save)}</button></div>`;
  el.querySelectorAll("[data-lot]").forEach((b) => b.addEventListener("click", () => {
    state.active = b.dataset.lot; if (state.tool === "erase") state.tool = "paint"; renderToolbar();
  }));
  el.querySelectorAll("[data-lock]").forEach((b) => b.addEventListener("click",
    () => toggleLock(b.dataset.lock)));
  el.querySelectorAll("[data-tool]").forEach((b) => b.addEventListener("click", () => {
    state.tool = b.dataset.tool; renderToolbar();
  }));
  el.querySelector("#undo").addEventListener("click", undo);
  el.querySelector("#redo").addEventListener("click", redo);
  el.querySelector("#time-limit").addEventListener("change", (e) => {
    state.timeLimit = Math.max(1, Math.min(600, +e.target.value || inst.time_limit_s));
  });
  el.querySelector("#complete").addEventListener("click", () => runJob("complete"));
  el.querySelector("#repair").addEventListener("click", () => runJob("repair"));
  el.querySelector("#prices").addEventListener("click", togglePrices);
  el.querySelector("#save").addEventListener("click", saveDrawing);
}

async function toggleLock(lot) {
  const next = new Set(state.locked);
  if (next.has(lot)) next.delete(lot); else next.add(lot);
  try {
    const answer = await api.setLocks([...next]);
    state.locked = new Set(answer.locked);
    map.setDrawing(state.drawing);
    renderAll();
  } catch (error) { setStatus(`${t.error}: ${error.message}`, true); }
}

// ------------------------------------------------------------------ jobs
async function runJob(kind, extra = {}) {
  state.before = state.figures ? state.figures.objective : null;
  const body = { assignment: state.drawing, locked: [...state.locked],
                 time_limit: state.timeLimit || state.inst.time_limit_s, ...extra };
  try {
    state.job = await api.startJob(kind, body);
  } catch (error) {
    const el = document.getElementById("job");
    el.hidden = false;
    el.innerHTML = `<p class="bad" data-job-error>${h(t.error)}: ${h(error.message)}</p>`;
    return;
  }
  renderToolbar();
  showJob();
  while (state.job && state.job.state === "running") {
    await new Promise((r) => setTimeout(r, 400));
    try { state.job = await api.getJob(state.job.id); } catch (error) { break; }
    showJob();
  }
  const job = state.job;
  state.job = null;
  renderToolbar();
  finishJob(job);
}

function showJob() {
  const el = document.getElementById("job");
  const job = state.job;
  if (!job) { el.hidden = true; return; }
  el.hidden = false;
  const p = job.progress || {};
  const title = { complete: t.complete, repair: t.repair, prices: t.prices }[job.kind];
  let detail = "";
  if (job.kind === "complete") {
    detail = `<table><tr><th>${h(t.incumbent)}</th><td data-job="incumbent">${eur(p.incumbent)}</td></tr>
      <tr><th>${h(t.bound)}</th><td>${eur(p.bound)}</td></tr>
      <tr><th>${h(t.gap)}</th><td data-job="gap">${p.gap === undefined ? "–" : percent(p.gap)}</td></tr></table>`;
  } else if (job.kind === "prices" && p.total) {
    detail = `<progress max="${p.total}" value="${p.done}"></progress> ${p.done}/${p.total}`;
  }
  el.innerHTML = `<h2>${h(title)} <span class="hint">${decimal(job.elapsed_s, 1)} s</span></h2>
    ${detail}<button id="cancel">${h(t.cancel)}</button>`;
  el.querySelector("#cancel").addEventListener("click", () => api.cancelJob(job.id));
}

function finishJob(job) {
  const el = document.getElementById("job");
  if (!job) { el.hidden = true; return; }
  if (job.state === "failed") {
    el.innerHTML = `<p class="bad">${h(t.error)}: ${h(job.error)}</p>`;
    return;
  }
  const r = job.result || {};
  if (job.kind === "prices") {
    el.hidden = true;
    state.pricesOn = true;
    map.setPrices(r);
    renderToolbar();
    return;
  }
  let text = "";
  if (!r.assignment) {
    el.innerHTML = `<p class="bad" data-job-result="${h(r.status || job.state)}">${h(t.no_result)}` +
      ` (${h(r.status || job.state)})${r.message ? ": " + h(r.message) : ""}</p>`;
    return;
  }
  if (job.kind === "complete") {
    text = r.status === "optimal" ? t.optimal
      : `${t.not_proven}${r.gap !== null && r.gap !== undefined ? ", " + t.gap.toLowerCase() + " " + percent(r.gap) : ""}`;
    text = `${t.complete}: ${eur(r.design_objective)} (${text}, ${decimal(r.time_s, 1)} s)`;
    if (state.before !== null && state.before !== undefined) {
      text += `; ${t.was} ${eur(state.before)}`;
    }
    if (r.figures && r.figures.objective !== null &&
        Math.abs(r.figures.objective - r.design_objective) > 0.5) {
      text += ". " + t.design_vs_award;
    }
  } else {
    text = `${t.repair}: ${r.moved ? r.moved.length : 0} ${t.moved} (${r.status})`;
  }
  el.innerHTML = `<p data-job-result="${h(r.status || job.state)}">${h(text)}</p>`;
  if (r.assignment) {
    state.history.push(state.drawing);
    state.drawing = r.assignment;
    state.figures = { ...r.figures };
    map.setDrawing(state.drawing, state.figures);
    renderAll();
    refresh();
  }
}

async function togglePrices() {
  if (state.pricesOn) { state.pricesOn = false; map.setPrices(null); renderToolbar(); return; }
  await runJob("prices");
}

// ------------------------------------------------------------------ variants, save, draft
async function snapshot(name) {
  try {
    const snap = await api.addSnapshot(name, state.drawing);
    state.snapshots = state.snapshots.filter((s) => s.name !== snap.name).concat([snap]);
    renderAll();
  } catch (error) { setStatus(`${t.error}: ${error.message}`, true); }
}

function loadSnapshot(snap) {
  state.history.push(state.drawing);
  setDrawing({ ...snap.assignment });
}

async function removeSnapshot(snap) {
  try {
    await api.deleteSnapshot(snap.name);
    state.snapshots = state.snapshots.filter((s) => s.name !== snap.name);
    renderAll();
  } catch (error) { setStatus(`${t.error}: ${error.message}`, true); }
}

async function saveDrawing() {
  setStatus(t.busy);
  try {
    const r = await api.save(state.drawing);
    const el = document.getElementById("job");
    el.hidden = false;
    el.innerHTML = `<p data-saved="${h(r.results)}">${h(t.saved)} <code>${h(r.results)}</code>
      (${eur(r.objective)}${r.feasible_by_checker ? ", ✔" : ", ✖"})</p>`;
    setStatus("");
  } catch (error) { setStatus(`${t.error}: ${error.message}`, true); }
}

function showDraft(draft) {
  const el = document.getElementById("draft");
  el.hidden = false;
  const when = draft.saved_at ? new Date(draft.saved_at * 1000)
    .toLocaleString(state.inst.lang === "en" ? "en-GB" : "nl-NL") : "";
  el.innerHTML = `<p>${h(t.restore)} <span class="hint">${h(when)}</span></p>
    <button id="restore-yes" class="primary">${h(t.restore_yes)}</button>
    <button id="restore-no">${h(t.restore_no)}</button>`;
  el.querySelector("#restore-yes").addEventListener("click", async () => {
    const s = await api.restoreDraft();
    el.hidden = true;
    state.history.push(state.drawing);
    state.locked = new Set(s.locked);
    state.snapshots = s.snapshots;
    setDrawing(s.assignment);
  });
  el.querySelector("#restore-no").addEventListener("click", async () => {
    await api.discardDraft();
    el.hidden = true;
    refresh();
  });
}

function setStatus(text, bad = false) {
  const el = document.getElementById("status");
  el.textContent = text;
  el.className = bad ? "bad" : "";
}

function flash(text) {
  setStatus(text, true);
  setTimeout(() => setStatus(""), 2500);
}

start().catch((error) => setStatus(`${error.message}`, true));
