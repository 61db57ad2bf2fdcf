// Front end of lnhet_widgets.widgets.EnergyLevelDiagram: an energy-level (Jablonski) diagram
// whose arrows carry transition rates as their widths and tooltips; clicking a level selects
// it (the `selected_level` trait).
//
// anywidget loads the ES module from a Blob URL, against which "./..." imports cannot resolve;
// lnhet_widgets.widgets._assets.bundle_esm therefore inlines the relative imports below before
// the module is sent. Node (the unit tests) reads the same files unbundled.

import { fromBuffer } from "./lib/arrays.js";
import { createFrame, fitWidth, showErrors, svg, watchModel } from "./lib/frame.js";
import { diagramLayout } from "./level_diagram_core.js";
import { wavyPath } from "./level_diagram_marks.js";

// Scoped by the root class; the --jp-* variables follow the JupyterLab theme (light or dark),
// the fallbacks cover front ends without them.
const STYLE = `
.lnhet-levels { position: relative; font-family: var(--jp-ui-font-family, sans-serif); color: var(--jp-ui-font-color1, #222); max-width: 980px; }
.lnhet-levels-title { font-weight: 600; margin: 4px 0; font-size: 15px; }
.lnhet-levels-title[hidden] { display: none; }
.lnhet-levels-error { border: 1px solid #c62828; background: #fdecea; color: #8e1c1c; padding: 6px 8px; margin: 4px 0; border-radius: 3px; white-space: pre-wrap; }
.lnhet-levels-error[hidden] { display: none; }
.lnhet-levels.has-error svg { opacity: 0.45; }
.lnhet-levels svg { display: block; max-width: 100%; height: auto; user-select: none; }
.lnhet-levels svg text { fill: currentColor; font-size: 14px; }
.lnhet-levels .axis line { stroke: currentColor; stroke-opacity: 0.6; }
.lnhet-levels .axis text { font-size: 12px; }
.lnhet-levels .header { font-weight: 700; font-size: 15px; }
.lnhet-levels .level { cursor: pointer; outline: none; }
.lnhet-levels .level .line { stroke: currentColor; stroke-width: 2.5; }
.lnhet-levels .level .extension { stroke: currentColor; stroke-opacity: 0.35; stroke-width: 1; stroke-dasharray: 1 3; }
.lnhet-levels .level.style-defect .line { stroke-dasharray: 7 4; }
.lnhet-levels .level .band { fill: currentColor; fill-opacity: 0.12; }
.lnhet-levels .level .hit { fill: transparent; }
.lnhet-levels .level:hover .line, .lnhet-levels .level:focus-visible .line { stroke: #1976d2; }
.lnhet-levels .level:focus-visible .hit { stroke: #1976d2; stroke-dasharray: 2 2; }
.lnhet-levels .level.selected .line { stroke: #c2185b; stroke-width: 4.5; }
.lnhet-levels .level.selected text.label { fill: #c2185b; font-weight: 700; }
.lnhet-levels .arrow .hit { stroke: transparent; stroke-width: 12; fill: none; }
.lnhet-levels .arrow .shaft { fill: none; stroke-linecap: butt; }
.lnhet-levels .arrow.zero { opacity: 0.35; }
.lnhet-levels .arrow.zero .shaft { stroke-dasharray: 4 3; }
.lnhet-levels.has-selection .arrow:not(.connected) { opacity: 0.18; }
.lnhet-levels .arrow:hover .shaft, .lnhet-levels .arrow:hover .head { filter: brightness(1.25) saturate(1.3); }
.lnhet-levels .arrow:hover { opacity: 1; }
.lnhet-levels .legend text { font-size: 13px; }
.lnhet-levels .legend text.caption { font-size: 12px; }
.lnhet-levels-tooltip { position: absolute; pointer-events: none; background: var(--jp-layout-color0, #fff); border: 1px solid var(--jp-border-color1, #999); border-radius: 3px; padding: 3px 6px; font-size: 13px; white-space: nowrap; box-shadow: 0 1px 4px rgba(0,0,0,0.2); z-index: 10; }
.lnhet-levels-tooltip[hidden] { display: none; }
`;

// Text runs (from termParts / formulaParts) as tspans: superscripts and subscripts are
// smaller and shifted with dy, which every SVG renderer supports (baseline-shift is not).
function richText(attrs, parts) {
  const node = svg("text", attrs);
  const shifts = { sup: -0.45, sub: 0.3 };
  let offset = 0; // current baseline offset, in em of the parent font
  for (const part of parts) {
    const target = shifts[part.shift] ?? 0;
    const span = svg("tspan", {}, part.text);
    if (target !== offset) span.setAttribute("dy", `${target - offset}em`);
    if (part.shift) span.setAttribute("font-size", "72%");
    offset = target;
    node.append(span);
  }
  return node;
}

function pointsAttr(points) {
  return points.map(([x, y]) => `${x},${y}`).join(" ");
}

function drawAxis(layer, layout) {
  const { axis, plotTop, plotBottom } = layout;
  const g = svg("g", { class: "axis" });
  g.append(svg("line", { x1: axis.x, x2: axis.x, y1: plotTop - 6, y2: plotBottom }));
  for (const tick of axis.ticks) {
    g.append(
      svg("line", { x1: axis.x - 5, x2: axis.x, y1: tick.y, y2: tick.y }),
      svg("text", { x: axis.x - 8, y: tick.y + 4, "text-anchor": "end" }, tick.text),
    );
  }
  const midY = (plotTop + plotBottom) / 2;
  g.append(
    svg(
      "text",
      { x: 14, y: midY, "text-anchor": "middle", transform: `rotate(-90 14 ${midY})` },
      axis.title,
    ),
  );
  layer.append(g);
}

function drawLevel(level) {
  const g = svg("g", {
    class: `level style-${level.style}`,
    "data-level-index": level.index,
    tabindex: 0,
    role: "button",
  });
  const width = level.x1 - level.x0;
  if (level.style === "band") {
    const y = level.bandDirection > 0 ? level.y : level.y - 14;
    g.append(svg("rect", { class: "band", x: level.x0, y, width, height: 14 }));
  }
  g.append(
    svg("line", { class: "extension", x1: level.x1, x2: level.right, y1: level.y, y2: level.y }),
    svg("line", { class: "line", x1: level.x0, x2: level.x1, y1: level.y, y2: level.y }),
    richText({ class: "label", x: level.labelX, y: level.labelY }, level.nameParts),
    // Generous hit area: the visible line is only a few pixels high.
    svg("rect", {
      class: "hit",
      x: level.x0 - 4,
      y: Math.min(level.y, level.labelY) - 14,
      width: level.right - level.x0 + 4,
      height: Math.abs(level.y - level.labelY) + 20,
    }),
    svg("title", {}, level.tooltip),
  );
  return g;
}

function updateLevel(g, level) {
  g.classList.toggle("selected", level.selected);
  g.setAttribute("aria-pressed", String(level.selected));
  g.setAttribute("aria-label", `${level.tooltip}${level.selected ? " (selected)" : ""}`);
}

function drawArrow(arrow) {
  const g = svg("g", { "data-transition-index": arrow.index });
  g.append(
    svg("path", { class: "hit" }),
    svg("path", { class: "shaft" }),
    svg("polygon", { class: "head" }),
    svg("title"),
  );
  updateArrow(g, arrow);
  return g;
}

// Everything that a rate or a selection changes, so that set_rates updates in place.
function updateArrow(g, arrow) {
  const [hit, shaft, head, title] = g.children;
  g.setAttribute(
    "class",
    `arrow kind-${arrow.kind}${arrow.zero ? " zero" : ""}` +
      `${arrow.connected ? " connected" : ""}${arrow.between ? " transfer" : ""}`,
  );
  hit.setAttribute("d", arrow.hit);
  shaft.setAttribute("d", arrow.path);
  shaft.setAttribute("stroke", arrow.color);
  shaft.setAttribute("stroke-width", arrow.width.toFixed(2));
  if (arrow.head) {
    head.setAttribute("points", pointsAttr(arrow.head));
    head.setAttribute("fill", arrow.color);
    head.removeAttribute("visibility");
  } else {
    head.setAttribute("visibility", "hidden");
  }
  title.textContent = arrow.tooltip;
  g.setAttribute("aria-label", arrow.tooltip);
}

function drawLegend(g, legend) {
  g.replaceChildren();
  for (const entry of legend.entries) {
    const item = svg("g", { class: `legend-entry kind-${entry.kind}`, "data-kind": entry.kind });
    const x0 = entry.x;
    const x1 = entry.x + 30;
    if (entry.shape === "wavy") {
      // The core draws waves along y; turned by -90° the wave runs to the right.
      item.append(
        svg("path", {
          d: wavyPath(x0, entry.y, entry.y + 24),
          transform: `rotate(-90 ${x0} ${entry.y})`,
          stroke: entry.color,
          "stroke-width": 2,
          fill: "none",
        }),
      );
    } else {
      item.append(
        svg("line", { x1: x0, x2: x1 - 8, y1: entry.y, y2: entry.y, stroke: entry.color, "stroke-width": 2.5 }),
      );
    }
    item.append(
      svg("polygon", {
        points: pointsAttr([
          [x1, entry.y],
          [x1 - 9, entry.y - 4.5],
          [x1 - 9, entry.y + 4.5],
        ]),
        fill: entry.color,
      }),
      svg("text", { x: entry.textX, y: entry.y + 4.5 }, entry.label),
    );
    g.append(item);
  }
  g.append(svg("text", { class: "caption", x: legend.caption.x, y: legend.caption.y }, legend.caption.text));
  for (const sample of legend.samples) {
    g.append(
      svg("line", {
        class: "width-sample",
        x1: sample.x,
        x2: sample.x + 26,
        y1: sample.y - 4,
        y2: sample.y - 4,
        stroke: "currentColor",
        "stroke-width": sample.width.toFixed(2),
      }),
      svg("text", { x: sample.x + 31, y: sample.y, "font-size": 12 }, sample.text),
    );
  }
}

function render({ model, el }) {
  const frame = createFrame(el, {
    className: "lnhet-levels",
    style: STYLE,
    testid: "level-diagram",
    label: "Energy-level diagram with transition rates",
  });
  const { root, title, figure } = frame;
  const tooltip = document.createElement("div");
  tooltip.className = "lnhet-levels-tooltip";
  tooltip.hidden = true;
  root.append(tooltip);

  let drawError = "";
  let drawnWidth = 0;
  let structureKey = "";
  let levelNodes = [];
  let arrowNodes = [];
  let legendNode = null;
  let pending = false;
  const width = () => fitWidth(root, 480, 980, 820);
  const showError = () => showErrors(model, frame, drawError);

  function readState() {
    const energies = fromBuffer(model.get("_energies")).data;
    const ends = fromBuffer(model.get("_ends")).data;
    const rates = fromBuffer(model.get("_rates")).data;
    return {
      species: model.get("_species") ?? [],
      names: model.get("_names") ?? [],
      styles: model.get("_styles") ?? [],
      energies: Array.from(energies),
      ends: Array.from(ends),
      kinds: model.get("_kinds") ?? [],
      rates: Array.from(rates),
      columns: model.get("columns") ?? [],
      selected: model.get("selected_level"),
      height: model.get("height"),
    };
  }

  function build(layout) {
    figure.replaceChildren();
    figure.append(svg("title", {}, "Energy levels and transitions; line width shows the rate"));
    drawAxis(figure, layout);
    for (const header of layout.headers) {
      figure.append(
        richText({ class: "header", x: header.x, y: header.y, "text-anchor": "middle" }, header.parts),
      );
    }
    // Arrows under the levels, so that a level's line and label stay clickable on top.
    const arrowLayer = svg("g", { class: "arrows" });
    arrowNodes = layout.arrows.map(drawArrow);
    arrowLayer.append(...arrowNodes);
    const levelLayer = svg("g", { class: "levels" });
    levelNodes = layout.levels.map(drawLevel);
    levelLayer.append(...levelNodes);
    legendNode = svg("g", { class: "legend" });
    figure.append(arrowLayer, levelLayer, legendNode);
  }

  function draw() {
    pending = false;
    title.textContent = model.get("title");
    title.hidden = !model.get("title");
    try {
      const state = readState();
      const layout = diagramLayout({ ...state, width: (drawnWidth = width()) });
      // Rates and the selection change only widths, tooltips and classes: update those in
      // place (set_rates is meant to be cheap, and keyboard focus stays on its level).
      const { rates, selected, ...structure } = state;
      const key = JSON.stringify([structure, drawnWidth]);
      if (key !== structureKey) {
        build(layout);
        structureKey = key;
      }
      layout.levels.forEach((level, i) => updateLevel(levelNodes[i], level));
      layout.arrows.forEach((arrow, i) => updateArrow(arrowNodes[i], arrow));
      // The legend names the decades of the width scale, which follow the rates; it holds
      // nothing interactive, so it is simply drawn again.
      drawLegend(legendNode, layout.legend);
      setSize(layout);
      root.classList.toggle("has-selection", layout.levels.some((l) => l.selected));
      drawError = "";
    } catch (err) {
      drawError = `Could not draw the energy-level diagram: ${err?.message ?? err}`;
    }
    showError();
  }

  function setSize(layout) {
    figure.setAttribute("viewBox", `0 0 ${layout.width} ${layout.height}`);
    figure.setAttribute("width", layout.width);
    figure.setAttribute("height", layout.height);
  }

  // Python sets several traits in one hold_sync; they arrive as separate change events, so
  // drawing waits for the end of the current task and runs once.
  function schedule() {
    if (pending) return;
    pending = true;
    queueMicrotask(draw);
  }

  function select(index) {
    const current = model.get("selected_level");
    model.set("selected_level", current === index ? -1 : index);
    model.save_changes();
  }

  function levelIndexOf(event) {
    const g = event.target.closest?.("[data-level-index]");
    return g ? Number(g.getAttribute("data-level-index")) : null;
  }

  function onClick(event) {
    const index = levelIndexOf(event);
    if (index !== null) select(index);
  }

  function onKey(event) {
    if (event.key !== "Enter" && event.key !== " ") return;
    const index = levelIndexOf(event);
    if (index === null) return;
    event.preventDefault();
    select(index);
  }

  // An HTML tooltip shows at once (the SVG <title> appears only after a delay) and in the
  // theme's colours; the <title> stays for screen readers.
  function onMove(event) {
    const g = event.target.closest?.("[data-transition-index], [data-level-index]");
    const text = g?.querySelector(":scope > title")?.textContent;
    if (!text) {
      tooltip.hidden = true;
      return;
    }
    const box = root.getBoundingClientRect();
    tooltip.textContent = text;
    tooltip.hidden = false;
    const x = event.clientX - box.left + 14;
    tooltip.style.left = `${Math.min(x, Math.max(0, box.width - tooltip.offsetWidth - 4))}px`;
    tooltip.style.top = `${event.clientY - box.top + 16}px`;
  }

  function onLeave() {
    tooltip.hidden = true;
  }

  figure.addEventListener("click", onClick);
  figure.addEventListener("keydown", onKey);
  figure.addEventListener("pointermove", onMove);
  figure.addEventListener("pointerleave", onLeave);

  draw();
  return watchModel(model, root, {
    traits: [
      "_species", "_names", "_styles", "_energies", "_ends", "_kinds", "_rates",
      "columns", "selected_level", "height", "title",
    ],
    onChange: schedule,
    onError: showError,
    widthChanged: () => width() !== drawnWidth,
  });
}

export default { render };
