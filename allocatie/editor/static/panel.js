// The live panel: totals, problems or diagnosis, one row per lot, the rules that bind, and
// the variants side by side.
import { decimal, escapeHtml as h, eur, integer, percent } from "./format.js";

export function renderTotals(el, f, inst, optimum) {
  const t = inst.texts;
  if (!f) { el.innerHTML = ""; return; }
  const lotsOk = f.lots_drawn >= f.lots_min && f.lots_drawn <= f.lots_max;
  const k = f.lots_min === f.lots_max ? f.lots_max : `${f.lots_min}–${f.lots_max}`;
  const verdict = f.feasible
    ? `<span class="good" data-verdict="ok">✔ ${h(t.checker_ok)}</span>`
    : `<span class="bad" data-verdict="bad">✖ ${h(t.checker_bad)}</span>`;
  let optimumRows = "";
  if (optimum && optimum.objective !== null && optimum.objective !== undefined) {
    optimumRows = `<tr><th>${h(t.optimum)}</th><td>${eur(optimum.objective)}` +
      ` <span class="hint">(${h(optimum.status === "optimal" ? t.optimal : t.not_proven)})</span></td></tr>` +
      `<tr><th>${h(t.gap_to_optimum)}</th><td data-figure="gap">${f.gap_to_optimum === null
        ? "–" : percent(f.gap_to_optimum)}</td></tr>`;
  }
  el.innerHTML = `<h2>${h(t.total)}</h2><table class="totals">
    <tr><th title="${h(t.objective_hint)}">${h(t.objective)}</th>
        <td class="big" data-figure="objective">${eur(f.objective)}</td></tr>
    <tr><th>${h(t.cost)}</th><td data-figure="cost">${eur(f.cost)}</td></tr>
    <tr><th title="${h(t.transitions_hint)}">${h(t.transitions)}</th>
        <td data-figure="transitions">${integer(f.transitions)}</td></tr>
    <tr><th>${h(t.lots_vs_k)}</th><td data-figure="lots" class="${lotsOk ? "" : "bad"}">
        ${f.lots_drawn} / ${k}</td></tr>
    ${optimumRows}
    <tr><th>${h(t.award_basis)}</th><td>${h(f.award_criterion === "price_quality"
        ? t.award_price_quality.replace("{q}", decimal(f.quality_weight, 2)) : t.award_price)}</td></tr>
    <tr><th>${h(t.checker)}</th><td>${verdict}</td></tr></table>`;
}

export function renderProblems(el, f, inst) {
  const t = inst.texts;
  if (!f || (!f.problems.length && !f.diagnosis.length)) { el.innerHTML = ""; return; }
  let html = "";
  if (f.problems.length) {
    html += `<h2>${h(t.problems)}</h2><ul class="problems">` +
      f.problems.map((p) => `<li>${h(p)}</li>`).join("") + "</ul>";
  }
  if (f.diagnosis.length) {
    html += `<h2>${h(t.diagnosis)}</h2><ul class="diagnosis">` +
      f.diagnosis.map((p) => `<li>${h(p)}</li>`).join("") + "</ul>";
  }
  el.innerHTML = html;
}

export function renderLots(el, f, inst, locked) {
  const t = inst.texts;
  if (!f) { el.innerHTML = ""; return; }
  const r = inst.rules;
  const bounds = r.lot_clients_min !== null || r.lot_clients_max !== null
    ? `<p class="hint">${h(t.bounds_line)}: ${integer(r.lot_clients_min)}–${integer(r.lot_clients_max)}</p>` : "";
  const rows = f.lots.map((lot) => `<tr data-lot="${h(lot.lot)}">
      <td><span class="swatch" style="background:${inst.colours[lot.lot]}"></span>${h(lot.lot)}
          ${locked.has(lot.lot) ? `<span class="tag">${h(t.locked)}</span>` : ""}</td>
      <td class="num ${lot.within_bounds ? "" : "bad"}" data-figure="clients">${integer(lot.clients)}</td>
      <td class="${lot.contiguous ? "" : "bad"}">${lot.contiguous ? h(t.yes)
        : `${h(t.no)} (${lot.parts.length} ${h(t.parts)})`}</td>
      <td class="num">${decimal(lot.compactness)}</td>
      <td data-figure="winner">${lot.winner ? h(lot.winner) : "–"}</td>
      <td class="num" data-figure="cost">${eur(lot.cost)}</td>
      <td class="num" data-figure="transitions">${integer(lot.transitions)}</td></tr>`).join("");
  el.innerHTML = `<h2>${h(t.lots)}</h2>${bounds}<table class="lots"><thead><tr>
      <th>${h(t.lot)}</th><th>${h(t.clients)}</th><th>${h(t.contiguous)}</th>
      <th title="${h(t.compactness_hint)}">${h(t.compactness)}</th><th>${h(t.winner)}</th>
      <th>${h(t.cost)}</th><th title="${h(t.transitions_hint)}">${h(t.transitions)}</th>
      </tr></thead><tbody>${rows}</tbody></table>`;
}

export function renderBinding(el, f, inst) {
  const t = inst.texts;
  if (!f || f.binding === null || f.binding === undefined) {
    el.innerHTML = f && f.objective !== null ? `<h2>${h(t.binding)}</h2><p class="hint">${h(t.busy)}</p>` : "";
    return;
  }
  if (!f.binding.length) { el.innerHTML = ""; return; }
  const binding = f.binding.filter((b) => b.binds);
  let html = `<h2>${h(t.binding)}</h2>`;
  if (!binding.length) {
    html += `<p class="hint">${h(t.binding_none)}</p>`;
  } else {
    html += "<ul>" + binding.map((b) => {
      const who = b.bidders.map((x) => b.rule === "capacity"
        ? `${h(x.bidder)} ${integer(x.clients)}/${integer(x.limit)}`
        : `${h(x.bidder)} ${x.lots}/${x.limit}`).join(", ");
      return `<li data-rule="${h(b.rule)}"><b>${h(t["rule_" + b.rule] || b.rule)}</b>: ` +
        `${h(t.saving)} ${eur(b.saving)}<br><span class="hint">${who}</span></li>`;
    }).join("") + "</ul>";
  }
  el.innerHTML = html;
}

export function renderVariants(el, snapshots, current, optimum, inst, handlers) {
  const t = inst.texts;
  const rows = [];
  const row = (name, s, actions = "", cls = "") => `<tr class="${cls}"><td>${h(name)}</td>
      <td class="num">${eur(s.objective)}</td><td class="num">${eur(s.cost)}</td>
      <td class="num">${integer(s.transitions)}</td>
      <td class="num">${s.balance === null || s.balance === undefined ? "–" : decimal(s.balance)}</td>
      <td>${s.feasible === undefined ? "" : s.feasible ? "✔" : "✖"}</td><td>${actions}</td></tr>`;
  if (current) rows.push(row(t.drawing, current, "", "current"));
  if (optimum && optimum.objective !== null && optimum.objective !== undefined) {
    rows.push(row(t.optimum, { ...optimum, balance: null, feasible: true }));
  }
  snapshots.forEach((s, i) => rows.push(row(s.name, s.figures,
    `<button data-load="${i}">↺</button><button data-delete="${i}" title="${h(t.delete)}">✕</button>`)));
  el.innerHTML = `<h2>${h(t.compare)}</h2>
    <form id="snapshot-form"><input id="snapshot-name" placeholder="${h(t.snapshot_name)}"
      maxlength="80"><button type="submit">${h(t.snapshot)}</button></form>
    <table class="variants"><thead><tr><th>${h(t.name)}</th><th>${h(t.objective)}</th>
    <th>${h(t.cost)}</th><th>${h(t.transitions)}</th><th title="${h(t.balance)}">${h(t.balance_short)}</th>
    <th></th><th></th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
  el.querySelector("#snapshot-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const name = el.querySelector("#snapshot-name").value.trim();
    if (name) handlers.snapshot(name);
  });
  el.querySelectorAll("[data-load]").forEach((b) => b.addEventListener("click",
    () => handlers.load(snapshots[+b.dataset.load])));
  el.querySelectorAll("[data-delete]").forEach((b) => b.addEventListener("click",
    () => handlers.remove(snapshots[+b.dataset.delete])));
}
