// The map: districts coloured by lot, click to assign, Shift-drag to paint, hover tooltip,
// separate parts of a lot and districts without a lot marked, boundary prices as a layer.
/* global L */
import { escapeHtml, eur, integer, signedEur } from "./format.js";

const UNASSIGNED_FILL = "#ffffff";

export class LotMap {
  constructor(element, instance, handlers) {
    this.instance = instance;
    this.t = instance.texts;
    this.handlers = handlers; // { stroke(ids), hoverText(id) }
    this.drawing = {};
    this.figures = null;
    this.prices = null;
    this.painting = null;
    this.map = L.map(element, { boxZoom: false, zoomSnap: 0.25, attributionControl: true });
    this.map.attributionControl.setPrefix(false);
    this.map.attributionControl.addAttribution("CBS/Kadaster, CC BY 4.0");
    this.layer = L.geoJSON(instance.districts, {
      style: (f) => this.styleOf(f.id),
      onEachFeature: (f, layer) => this.bind(f, layer),
    }).addTo(this.map);
    this.labels = L.layerGroup().addTo(this.map);
    this.legend = L.control({ position: "bottomleft" });
    this.legend.onAdd = () => L.DomUtil.create("div", "legend");
    this.legend.addTo(this.map);
    this.map.fitBounds(this.layer.getBounds(), { padding: [10, 10] });
    this.byId = {};
    this.layer.eachLayer((layer) => {
      this.byId[layer.feature.id] = layer;
      const path = layer.getElement && layer.getElement();
      if (path) path.setAttribute("data-district", layer.feature.id);
    });
    document.addEventListener("mouseup", () => this.endStroke());
    window.addEventListener("blur", () => this.endStroke());
  }

  bind(feature, layer) {
    layer.bindTooltip(() => this.tooltip(feature), { sticky: true, className: "tip" });
    layer.on("mousedown", (e) => {
      if (e.originalEvent.button !== 0) return;
      if (e.originalEvent.shiftKey) {
        this.map.dragging.disable();
        this.painting = new Set([feature.id]);
        this.handlers.preview(this.painting);
        L.DomEvent.stop(e);
      }
    });
    layer.on("mouseover", () => {
      if (this.painting && !this.painting.has(feature.id)) {
        this.painting.add(feature.id);
        this.handlers.preview(this.painting);
      }
      layer.setStyle({ weight: 3 });
    });
    layer.on("mouseout", () => layer.setStyle(this.styleOf(feature.id)));
    layer.on("click", (e) => {
      if (e.originalEvent.shiftKey) return; // part of a stroke
      this.handlers.stroke([feature.id]);
    });
  }

  endStroke() {
    if (!this.painting) return;
    const ids = [...this.painting];
    this.painting = null;
    this.map.dragging.enable();
    this.handlers.stroke(ids);
  }

  colourOf(lot) { return this.instance.colours[lot] || "#999999"; }

  styleOf(id) {
    const lot = this.drawing[id];
    if (!lot) {
      return { color: "#c0392b", weight: 2.5, dashArray: "5 4", fillColor: UNASSIGNED_FILL,
               fillOpacity: 0.85, opacity: 1 };
    }
    const style = { color: "#ffffff", weight: 1, fillColor: this.colourOf(lot),
                    fillOpacity: 0.8, opacity: 1, dashArray: null };
    if (this.minorPart && this.minorPart[id]) {
      Object.assign(style, { color: "#222222", weight: 3, dashArray: "2 4" });
    }
    if (this.prices && this.prices[id]) {
      const best = this.prices[id].find((m) => m.valid && m.delta !== null);
      if (best) {
        Object.assign(style, { color: best.delta < 0 ? "#1a7f37" : "#b35900", weight: 3.5,
                               dashArray: null });
      }
    }
    if (this.handlers.isLocked(lot)) style.fillOpacity = 0.55;
    return style;
  }

  setDrawing(drawing, figures) {
    this.drawing = drawing;
    if (figures) this.figures = figures;
    this.minorPart = {};
    if (this.figures) {
      for (const lot of this.figures.lots) {
        lot.parts.slice(1).forEach((part, i) => part.forEach((d) => {
          this.minorPart[d] = { lot: lot.lot, part: i + 2, parts: lot.parts.length };
        }));
      }
    }
    this.layer.eachLayer((layer) => layer.setStyle(this.styleOf(layer.feature.id)));
    this.drawLabels();
    this.drawLegend();
  }

  drawLegend() {
    const t = this.t;
    const item = (style, text) => `<div><span class="key" style="${style}"></span>${escapeHtml(text)}</div>`;
    let html = item("background:#fff;border:2px dashed #c0392b", t.legend_unassigned) +
      item("background:#ddd;border:2px dotted #222", t.legend_part) +
      item("background:#bbb;opacity:.6", t.legend_locked);
    if (this.prices) {
      html += `<div class="legend-title">${escapeHtml(t.layer_prices)}</div>` +
        item("background:#fff;border:3px solid #1a7f37", t.legend_cheaper) +
        item("background:#fff;border:3px solid #b35900", t.legend_dearer) +
        `<div class="hint">${escapeHtml(t.legend_hover)}</div>`;
    }
    this.legend.getContainer().innerHTML = html;
  }

  preview(ids, lot) {
    for (const id of ids) {
      const layer = this.byId[id];
      if (layer) layer.setStyle({ fillColor: lot ? this.colourOf(lot) : UNASSIGNED_FILL,
                                  weight: 2.5, color: "#333333" });
    }
  }

  setPrices(prices) {
    this.prices = null;
    if (prices) {
      this.prices = {};
      for (const m of prices.moves) (this.prices[m.district] ||= []).push(m);
      for (const list of Object.values(this.prices)) {
        list.sort((a, b) => (a.delta ?? Infinity) - (b.delta ?? Infinity));
      }
    }
    this.setDrawing(this.drawing);
  }

  drawLabels() {
    this.labels.clearLayers();
    const largest = {};
    this.layer.eachLayer((layer) => {
      const lot = this.drawing[layer.feature.id];
      if (!lot || (this.minorPart && this.minorPart[layer.feature.id])) return;
      const area = boundsArea(layer.getBounds());
      if (!largest[lot] || area > largest[lot].area) largest[lot] = { area, layer };
    });
    for (const [lot, { layer }] of Object.entries(largest)) {
      const icon = L.divIcon({ className: "lot-label", html: `<span>${escapeHtml(lot)}</span>`,
                               iconSize: [26, 26] });
      L.marker(layer.feature.properties.point, { icon, interactive: false,
                                                 keyboard: false }).addTo(this.labels);
    }
  }

  // The screen position (page pixels) of a point inside a district: for tests and scripts.
  screenPoint(id) {
    const layer = this.byId[id];
    if (!layer) return null;
    const p = this.map.latLngToContainerPoint(layer.feature.properties.point);
    const box = this.map.getContainer().getBoundingClientRect();
    return { x: box.left + p.x, y: box.top + p.y };
  }

  tooltip(feature) {
    const t = this.t;
    const p = feature.properties;
    const lot = this.drawing[feature.id];
    const rows = [[t.tip_clients, integer(p.clients)]];
    rows.push([t.tip_lot, lot ? `${escapeHtml(lot)}${this.handlers.isLocked(lot)
      ? " (" + escapeHtml(t.locked) + ")" : ""}` : `<b class="bad">${escapeHtml(t.unassigned)}</b>`]);
    const part = this.minorPart && this.minorPart[feature.id];
    if (part) rows.push([t.contiguous, `<b class="bad">${escapeHtml(t.no)}: ${part.part}/${part.parts} ${escapeHtml(t.parts)}</b>`]);
    const providers = Object.entries(p.incumbents)
      .map(([name, n]) => `${escapeHtml(name)}: ${integer(n)}`).join("<br>") || t.none;
    rows.push([t.tip_current, providers]);
    const bids = Object.entries(p.bids)
      .map(([name, price]) => `${escapeHtml(name)}: ${eur(price)}`).join("<br>") || t.none;
    rows.push([t.tip_bids, bids]);
    if (this.prices && this.prices[feature.id]) {
      const moves = this.prices[feature.id].map((m) =>
        `→ ${escapeHtml(t.lot.toLowerCase())} ${escapeHtml(m.to)}: ${m.delta === null ? "–"
          : signedEur(m.delta)}${m.valid ? "" : " ⚠"}`).join("<br>");
      rows.push([t.layer_prices, moves]);
    }
    const cells = rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${v}</td></tr>`).join("");
    return `<b>${escapeHtml(p.name)}</b> <span class="code">${escapeHtml(p.id)}</span>` +
           `<table>${cells}</table>`;
  }
}

function boundsArea(bounds) {
  const sw = bounds.getSouthWest();
  const ne = bounds.getNorthEast();
  return Math.abs((ne.lat - sw.lat) * (ne.lng - sw.lng));
}
