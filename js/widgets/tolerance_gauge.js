// Front end of lnhet_widgets.widgets.ToleranceGauge: Goldschmidt tolerance factors on a scale
// with the stable perovskite window shaded.
//
// anywidget loads the ES module from a Blob URL, against which "./..." imports cannot resolve;
// lnhet_widgets.widgets._assets.bundle_esm therefore inlines the relative imports below before
// the module is sent. Node (the unit tests) reads the same files unbundled.

import { createFrame, fitWidth, showErrors, svg, watchModel } from "./lib/frame.js";
import { gaugeLayout } from "./tolerance_gauge_core.js";

// Scoped by the root class; the --jp-* variables follow the JupyterLab theme (light or dark),
// the fallbacks cover front ends without them.
const STYLE = `
.lnhet-gauge { font-family: var(--jp-ui-font-family, sans-serif); color: var(--jp-ui-font-color1, #222); max-width: 760px; }
.lnhet-gauge-title { font-weight: 600; margin: 4px 0; }
.lnhet-gauge-error { border: 1px solid #c62828; background: #fdecea; color: #8e1c1c; padding: 6px 8px; margin: 4px 0; border-radius: 3px; white-space: pre-wrap; }
.lnhet-gauge-error[hidden] { display: none; }
.lnhet-gauge.has-error svg { opacity: 0.45; }
.lnhet-gauge svg { display: block; max-width: 100%; height: auto; }
.lnhet-gauge svg text { fill: currentColor; font-size: 12px; }
.lnhet-gauge .axis, .lnhet-gauge .tick line { stroke: currentColor; }
.lnhet-gauge .window { fill: rgba(46, 125, 50, 0.16); }
.lnhet-gauge .limit { stroke: #2e7d32; stroke-dasharray: 4 3; }
.lnhet-gauge .leader { stroke: currentColor; stroke-opacity: 0.4; }
.lnhet-gauge .marker { stroke: none; }
.lnhet-gauge .marker.selected { stroke: var(--jp-ui-font-color1, #222); stroke-width: 1.5; }
.lnhet-gauge text.selected { font-weight: 700; }
.lnhet-gauge .cls-below { fill: #c62828; color: #c62828; }
.lnhet-gauge .cls-near-lower { fill: #ef6c00; color: #ef6c00; }
.lnhet-gauge .cls-inside { fill: #2e7d32; color: #2e7d32; }
.lnhet-gauge .cls-above { fill: #6a1b9a; color: #6a1b9a; }
.lnhet-gauge-notes { margin: 4px 0 0; padding-left: 1.2em; font-size: 12px; }
.lnhet-gauge-notes li::marker { content: "⚠ "; }
`;

// 0.8 -> "0.80", 1.11 -> "1.11", 0.825 -> "0.825": as many decimals as the limit has.
function limitText(value) {
  return value.toFixed(3).replace(/0$/, "");
}

function drawGauge(root, layout) {
  const { width, height, axisY, range, ticks, window: win, markers } = layout;
  root.replaceChildren();
  root.setAttribute("viewBox", `0 0 ${width} ${height}`);
  root.setAttribute("width", width);
  root.setAttribute("height", height);
  root.append(svg("title", {}, "Tolerance factors and the stable perovskite window"));

  root.append(
    svg("rect", { class: "window", x: win.x0, y: 20, width: win.x1 - win.x0, height: axisY - 20 }),
    // The limit lines stop above the tick labels, which sit right under them at 0.8.
    svg("line", { class: "limit", x1: win.x0, x2: win.x0, y1: 20, y2: axisY - 18 }),
    svg("line", { class: "limit", x1: win.x1, x2: win.x1, y1: 20, y2: axisY - 18 }),
    svg(
      "text",
      { x: (win.x0 + win.x1) / 2, y: 14, "text-anchor": "middle" },
      `stable window ${limitText(win.low)} ≤ t ≤ ${limitText(win.high)}`,
    ),
    svg("line", { class: "axis", x1: range[0], x2: range[1], y1: axisY, y2: axisY }),
  );
  for (const tick of ticks) {
    const g = svg("g", { class: "tick" });
    g.append(
      svg("line", { x1: tick.x, x2: tick.x, y1: axisY, y2: axisY + 5 }),
      svg("text", { x: tick.x, y: axisY - 6, "text-anchor": "middle", "font-size": 10 }, tick.text),
    );
    root.append(g);
  }
  // The selected marker is drawn last so that it stays on top of neighbours with similar t.
  const ordered = [...markers].sort((a, b) => Number(a.selected) - Number(b.selected));
  for (const m of ordered) {
    const g = svg("g", {
      class: `compound cls-${m.cls}${m.selected ? " selected" : ""}`,
      "data-label": m.label,
    });
    g.append(
      svg("line", { class: "leader", x1: m.x, x2: m.labelX, y1: axisY + 8, y2: m.labelY - 12 }),
      // Narrow bars rather than dots: compounds a few thousandths apart stay distinguishable.
      svg("rect", {
        class: `marker cls-${m.cls}${m.selected ? " selected" : ""}`,
        x: m.x - (m.selected ? 2.5 : 1.5),
        y: axisY - 8,
        width: m.selected ? 5 : 3,
        height: 16,
      }),
      svg(
        "text",
        { class: m.selected ? "selected" : "", x: m.labelX, y: m.labelY, "text-anchor": "middle" },
        m.text,
      ),
    );
    root.append(g);
  }
}

function drawNotes(list, notes) {
  list.replaceChildren(
    ...notes.map((note) => {
      const li = document.createElement("li");
      li.className = `cls-${note.cls}`;
      li.textContent = note.text;
      return li;
    }),
  );
  list.hidden = notes.length === 0;
}

function render({ model, el }) {
  const frame = createFrame(el, {
    className: "lnhet-gauge",
    style: STYLE,
    testid: "tolerance-gauge",
    label: "Tolerance factor gauge",
  });
  const { root, title, figure } = frame;
  const notes = document.createElement("ul");
  notes.className = "lnhet-gauge-notes";
  notes.setAttribute("aria-label", "Notes on the tolerance factors");
  root.append(notes);

  // A drawing failure is shown in the widget, like a Python-side error, and the previous
  // drawing stays in place.
  let drawError = "";
  let drawnWidth = 0;
  const width = () => fitWidth(root, 320, 760, 640);
  const showError = () => showErrors(model, frame, drawError);

  function draw() {
    title.textContent = model.get("title");
    title.hidden = !model.get("title");
    try {
      const layout = gaugeLayout({
        values: model.get("values") ?? [],
        low: model.get("low"),
        high: model.get("high"),
        selected: model.get("selected"),
        width: (drawnWidth = width()),
      });
      drawGauge(figure, layout);
      drawNotes(notes, layout.notes);
      drawError = "";
    } catch (err) {
      drawError = `Could not draw the gauge: ${err?.message ?? err}`;
    }
    showError();
  }

  draw();
  return watchModel(model, root, {
    traits: ["values", "selected", "low", "high", "title"],
    onChange: draw,
    onError: showError,
    widthChanged: () => width() !== drawnWidth,
  });
}

export default { render };
