// Front end of lnhet_widgets.widgets.LatticeSliceAnimation: a 2-D cross-section through an
// annealed nanocrystal, one disc per cation site in its species' colour (vacancies as hollow
// rings), played as an animation over the snapshots of the simulation.
//
// The sites are drawn on a canvas, not as SVG: several hundred elements whose fill changes 30
// times a second would keep the browser busy with style and layout; a canvas redraws them in
// well under a millisecond. The legend (text and counts) stays SVG, like the other widgets.
//
// anywidget loads the ES module from a Blob URL, against which "./..." imports cannot resolve;
// lnhet_widgets.widgets._assets.bundle_esm therefore inlines the relative imports below before
// the module is sent. Node (the unit tests) reads the same files unbundled.

import { fromBuffer } from "./lib/arrays.js";
import { createFrame, fitWidth, showErrors, svg, watchModel } from "./lib/frame.js";
import {
  canvasSide,
  checkShapes,
  clampIndex,
  countTable,
  dotRadiusPx,
  drawOrder,
  frameAtTime,
  frameLabel,
  frameRate,
  scaleBarNm,
  sliceLayout,
  typicalSpacing,
  visibleColor,
} from "./lattice_slice_core.js";

// Scoped by the root class; the --jp-* variables follow the JupyterLab theme (light or dark),
// the fallbacks cover front ends without them.
const STYLE = `
.lnhet-slice { font-family: var(--jp-ui-font-family, sans-serif); color: var(--jp-ui-font-color1, #222); max-width: 760px; }
.lnhet-slice-title { font-weight: 600; margin: 4px 0; font-size: 15px; }
.lnhet-slice-title[hidden] { display: none; }
.lnhet-slice-error { border: 1px solid #c62828; background: #fdecea; color: #8e1c1c; padding: 6px 8px; margin: 4px 0; border-radius: 3px; white-space: pre-wrap; }
.lnhet-slice-error[hidden] { display: none; }
.lnhet-slice.has-error .lnhet-slice-canvas, .lnhet-slice.has-error svg { opacity: 0.45; }
.lnhet-slice-body { display: flex; flex-wrap: wrap; align-items: flex-start; gap: 12px; }
.lnhet-slice-canvas { display: block; flex: none; }
.lnhet-slice svg { display: block; flex: none; user-select: none; }
.lnhet-slice svg text { fill: currentColor; font-size: 13px; }
.lnhet-slice svg text.count { font-variant-numeric: tabular-nums; }
.lnhet-slice svg text.caption { font-size: 12px; fill-opacity: 0.75; }
.lnhet-slice svg .outline { stroke: currentColor; stroke-opacity: 0.6; stroke-dasharray: 5 4; fill: none; }
.lnhet-slice-controls { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 10px; margin-top: 6px; max-width: 720px; font-size: 13px; }
.lnhet-slice-play { min-width: 5.5em; padding: 2px 8px; font: inherit; color: var(--jp-ui-font-color1, #222); background: var(--jp-layout-color2, #eee); border: 1px solid var(--jp-border-color1, #999); border-radius: 3px; cursor: pointer; }
.lnhet-slice-play:disabled { opacity: 0.5; cursor: default; }
.lnhet-slice-slider { flex: 1 1 auto; min-width: 80px; accent-color: var(--jp-brand-color1, #1976d2); }
.lnhet-slice-label { min-width: 9em; font-variant-numeric: tabular-nums; white-space: nowrap; }
.lnhet-slice-fps { min-width: 5em; text-align: right; font-variant-numeric: tabular-nums; color: var(--jp-ui-font-color2, #555); white-space: nowrap; }
`;

const LEGEND_ROW = 22;
const LEGEND_WIDTH = 180;
// While playing, frame_index goes back to Python at most this often (a message per frame
// would flood the kernel); pausing and scrubbing send the exact frame.
const SYNC_MS = 250;
// The frames-per-second readout averages over this span.
const METER_MS = 500;
const FALLBACK_COLOR = "#888888";
const TWO_PI = 2 * Math.PI;
const DASH = [5, 4];
const NO_DASH = [];
const PARTICLE_TINT = "rgba(128, 128, 128, 0.12)";

function button(className, text) {
  const node = document.createElement("button");
  node.type = "button";
  node.className = className;
  node.textContent = text;
  return node;
}

// One legend row per species (swatch, name, count in the current frame) and the two dashed
// outlines. The count texts are returned so that playback only changes their text.
function buildLegend(figure, names, colors, core, radius) {
  figure.replaceChildren();
  const rows = names.length + 3;
  const height = rows * LEGEND_ROW + 6;
  figure.setAttribute("viewBox", `0 0 ${LEGEND_WIDTH} ${height}`);
  figure.setAttribute("width", LEGEND_WIDTH);
  figure.setAttribute("height", height);
  figure.append(svg("text", { class: "caption", x: 4, y: 14 }, "sites in the slice"));
  const counts = names.map((name, code) => {
    const y = (code + 1) * LEGEND_ROW + 10;
    const g = svg("g", { class: "legend-entry", "data-species": name });
    g.append(
      code === 0
        ? svg("circle", { cx: 12, cy: y - 4, r: 5.5, fill: "none", stroke: colors[code], "stroke-width": 2.5 })
        : svg("circle", { cx: 12, cy: y - 4, r: 6.5, fill: colors[code] }),
      svg("text", { x: 28, y }, name),
    );
    const count = svg("text", { class: "count", x: LEGEND_WIDTH - 8, y, "text-anchor": "end" }, "");
    g.append(count);
    figure.append(g);
    return count;
  });
  const outlines = [
    [core, "core"],
    [radius, "surface"],
  ];
  outlines.forEach(([r, text], i) => {
    const y = (names.length + 1 + i) * LEGEND_ROW + 14;
    figure.append(
      svg("line", { class: "outline", x1: 4, x2: 22, y1: y - 4, y2: y - 4 }),
      svg("text", { class: "caption", x: 28, y }, `${text} (r = ${r.toFixed(2)} nm)`),
    );
  });
  return counts;
}

function render({ model, el }) {
  const frame = createFrame(el, {
    className: "lnhet-slice",
    style: STYLE,
    testid: "lattice-slice-legend",
    label: "Legend: species and their counts in the current frame",
  });
  const { root, figure } = frame;
  const body = document.createElement("div");
  body.className = "lnhet-slice-body";
  const canvas = document.createElement("canvas");
  canvas.className = "lnhet-slice-canvas";
  canvas.setAttribute("data-testid", "lattice-slice");
  canvas.setAttribute("role", "img");
  body.append(canvas, figure); // the frame's SVG becomes the legend, beside the canvas
  const controls = document.createElement("div");
  controls.className = "lnhet-slice-controls";
  const play = button("lnhet-slice-play", "▶ Play");
  const slider = document.createElement("input");
  slider.type = "range";
  slider.className = "lnhet-slice-slider";
  slider.min = "0";
  slider.step = "1";
  slider.setAttribute("aria-label", "Snapshot");
  const label = document.createElement("span");
  label.className = "lnhet-slice-label";
  label.setAttribute("aria-live", "off");
  const fpsText = document.createElement("span");
  fpsText.className = "lnhet-slice-fps";
  fpsText.title = "Frames drawn per second, measured";
  controls.append(play, slider, label, fpsText);
  root.append(body, controls);
  // Resolves the theme's background colour to rgb(), which the contrast check can read.
  const probe = document.createElement("span");
  probe.hidden = true;
  probe.style.color = "var(--jp-layout-color0, #ffffff)";
  root.append(probe);
  const ctx = canvas.getContext("2d");

  // Data, rebuilt when the traits change.
  let data = null; // {xy, frames, nSites, nFrames, labels, names, colors, counts, order}
  let geometry = null; // {side, dpr, layout, dot, colors, text, bar}
  let countNodes = [];
  let shownCounts = new Int32Array(0);
  let drawError = "";
  let drawnKey = "";
  let pending = false;

  // Playback state.
  let current = 0;
  let raf = 0;
  let running = false;
  let startTime = null;
  let startFrame = 0;
  let lastSync = 0;
  let meterStart = 0;
  let meterFrames = 0;
  let drawMs = 0;

  const available = () => fitWidth(root, 160, 760, 700);
  const sizeKey = () => `${canvasSide(available())}@${window.devicePixelRatio || 1}`;
  const showError = () => showErrors(model, frame, drawError);

  function readData() {
    const xyMsg = fromBuffer(model.get("xy"));
    const framesMsg = fromBuffer(model.get("frames"));
    const { nSites, nFrames } = checkShapes(xyMsg.shape, framesMsg.shape);
    const names = (model.get("species_names") ?? []).map(String);
    const colors = model.get("species_colors") ?? [];
    let maxCode = -1;
    for (const code of framesMsg.data) if (code > maxCode) maxCode = code;
    // Codes past the named species still get a colour and a legend row, so that nothing in
    // the frames goes undrawn; Python normally prevents them.
    for (let code = names.length; code <= maxCode; code += 1) names.push(`species ${code}`);
    return {
      xy: xyMsg.data,
      frames: framesMsg.data,
      nSites,
      nFrames,
      labels: model.get("frame_labels") ?? [],
      names,
      colors: names.map((_, code) => colors[code] ?? FALLBACK_COLOR),
      counts: countTable(framesMsg.data, nFrames, nSites, names.length),
      order: drawOrder(names.length),
      radius: Number(model.get("radius_nm")) || 0,
      core: Number(model.get("core_radius_nm")) || 0,
    };
  }

  function measure(next) {
    const side = canvasSide(available());
    const dpr = window.devicePixelRatio || 1;
    const layout = sliceLayout(next.xy, side, side, next.radius);
    const dot = dotRadiusPx(typicalSpacing(next.xy), layout.scale);
    const style = getComputedStyle(root);
    const text = style.color || "#222222";
    const background = getComputedStyle(probe).color || "#ffffff";
    // A species colour that would vanish on the theme (the near-black vacancy ring on a dark
    // theme) is drawn in the theme's text colour instead, on the canvas and in the legend.
    const colors = next.colors.map((c) => visibleColor(c, background, text));
    return { side, dpr, layout, dot, colors, text, bar: scaleBarNm(layout.scale) };
  }

  function rebuild() {
    pending = false;
    title();
    try {
      // Both read before either is kept: on a failure the last drawing stays as it was.
      const next = readData();
      const nextGeometry = measure(next);
      [data, geometry] = [next, nextGeometry];
      canvas.width = Math.round(geometry.side * geometry.dpr);
      canvas.height = Math.round(geometry.side * geometry.dpr);
      canvas.style.width = `${geometry.side}px`;
      canvas.style.height = `${geometry.side}px`;
      countNodes = buildLegend(figure, data.names, geometry.colors, data.core, geometry.layout.radiusNm);
      shownCounts = new Int32Array(data.names.length).fill(-1);
      slider.max = String(Math.max(0, data.nFrames - 1));
      slider.disabled = data.nFrames < 2;
      play.disabled = data.nFrames < 2;
      root.dataset.frames = String(data.nFrames);
      drawnKey = sizeKey();
      current = clampIndex(model.get("frame_index"), data.nFrames);
      if (running) restartClock();
      drawError = "";
    } catch (err) {
      drawError = `Could not draw the lattice slice: ${err?.message ?? err}`;
    }
    showError();
    if (data && geometry) drawFrame();
    syncPlaying();
  }

  function title() {
    frame.title.textContent = model.get("title");
    frame.title.hidden = !model.get("title");
  }

  // Everything that changes from one frame to the next. Per-species batches: one path and one
  // fill (or stroke) per species, and nothing allocated, so a frame costs well under a
  // millisecond for the ~600 sites of a slab.
  function drawFrame() {
    const t0 = performance.now();
    const { side, dpr, layout, dot, colors, text, bar } = geometry;
    const { px, scale, cx, cy, radiusNm } = layout;
    const { frames, nSites, nFrames, order } = data;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, side, side);
    ctx.fillStyle = PARTICLE_TINT;
    ctx.beginPath();
    ctx.arc(cx, cy, radiusNm * scale, 0, TWO_PI);
    ctx.fill();
    if (nFrames > 0) {
      const row = current * nSites;
      for (const code of order) {
        const ring = code === 0;
        const r = ring ? dot * 0.78 : dot;
        ctx.beginPath();
        for (let i = 0; i < nSites; i += 1) {
          if (frames[row + i] !== code) continue;
          const x = px[2 * i];
          const y = px[2 * i + 1];
          ctx.moveTo(x + r, y);
          ctx.arc(x, y, r, 0, TWO_PI);
        }
        if (ring) {
          ctx.lineWidth = Math.max(1.2, dot * 0.36);
          ctx.strokeStyle = colors[code];
          ctx.stroke();
        } else {
          ctx.fillStyle = colors[code];
          ctx.fill();
        }
      }
    } else {
      ctx.fillStyle = text;
      ctx.font = "14px sans-serif";
      ctx.textAlign = "center";
      ctx.fillText("No snapshots yet", cx, cy);
    }
    drawOutlines(cx, cy, scale, radiusNm, text);
    drawScaleBar(side, scale, bar, text);
    showFrameState();
    drawMs = drawMs === 0 ? performance.now() - t0 : 0.9 * drawMs + 0.1 * (performance.now() - t0);
  }

  function drawOutlines(cx, cy, scale, radiusNm, text) {
    ctx.save();
    ctx.strokeStyle = text;
    ctx.globalAlpha = 0.6;
    ctx.lineWidth = 1.5;
    ctx.setLineDash(DASH);
    ctx.beginPath();
    if (data.core > 0) {
      ctx.moveTo(cx + data.core * scale, cy);
      ctx.arc(cx, cy, data.core * scale, 0, TWO_PI);
    }
    ctx.moveTo(cx + radiusNm * scale, cy);
    ctx.arc(cx, cy, radiusNm * scale, 0, TWO_PI);
    ctx.stroke();
    ctx.setLineDash(NO_DASH);
    ctx.restore();
  }

  function drawScaleBar(side, scale, barNm, text) {
    const x = 10;
    const y = side - 10;
    ctx.fillStyle = text;
    ctx.fillRect(x, y - 3, barNm * scale, 3);
    ctx.font = "12px sans-serif";
    ctx.textAlign = "left";
    ctx.fillText(`${barNm} nm`, x, y - 7);
  }

  // The parts of the DOM that follow the frame: label, slider, legend counts, attributes.
  function showFrameState() {
    const { nFrames, labels, counts, names } = data;
    const text = frameLabel(labels, current, nFrames);
    if (label.textContent !== text) label.textContent = text;
    slider.value = String(current);
    slider.setAttribute("aria-valuetext", text);
    canvas.setAttribute("aria-label", `Cross-section of the particle, ${text}`);
    root.dataset.frameIndex = String(current);
    const base = current * names.length;
    for (let code = 0; code < names.length; code += 1) {
      const value = nFrames > 0 ? counts[base + code] : 0;
      if (shownCounts[code] !== value) {
        shownCounts[code] = value;
        countNodes[code].textContent = String(value);
      }
    }
  }

  // --- playback ----------------------------------------------------------------------------

  function playing() {
    return Boolean(model.get("playing")) && data !== null && data.nFrames > 1;
  }

  function syncPlaying() {
    const on = playing();
    play.textContent = on ? "❚❚ Pause" : "▶ Play";
    play.setAttribute("aria-pressed", String(on));
    root.dataset.playing = String(on);
    if (on && !running && geometry) {
      running = true;
      restartClock();
      meterStart = performance.now();
      meterFrames = 0;
      raf = requestAnimationFrame(tick);
    } else if (!on && running) {
      running = false;
      if (raf !== 0) cancelAnimationFrame(raf);
      raf = 0;
      fpsText.textContent = "";
      sendFrame();
    }
  }

  function restartClock() {
    startTime = null;
    startFrame = current;
    // Play pressed on the last frame of a non-looping animation starts it again.
    if (!model.get("loop") && current >= data.nFrames - 1) startFrame = 0;
  }

  function tick(now) {
    raf = 0;
    if (!running || !geometry) return;
    if (startTime === null) startTime = now;
    const fps = Number(model.get("fps")) || 30;
    const loop = Boolean(model.get("loop"));
    const index = frameAtTime(now - startTime, fps, data.nFrames, startFrame, loop);
    if (index !== current) {
      current = index;
      drawFrame();
      meterFrames += 1;
    }
    if (now - meterStart >= METER_MS) {
      const rate = frameRate(meterFrames, now - meterStart);
      fpsText.textContent = `${rate.toFixed(1)} fps`;
      root.dataset.measuredFps = rate.toFixed(1);
      root.dataset.drawMs = drawMs.toFixed(3);
      meterStart = now;
      meterFrames = 0;
    }
    if (now - lastSync >= SYNC_MS) sendFrame(now);
    if (!loop && current === data.nFrames - 1) {
      setPlaying(false);
      return;
    }
    raf = requestAnimationFrame(tick);
  }

  function sendFrame(now = performance.now()) {
    lastSync = now;
    if (model.get("frame_index") === current) return;
    model.set("frame_index", current);
    model.save_changes();
  }

  function setPlaying(on) {
    model.set("playing", on);
    model.save_changes();
  }

  // --- events ------------------------------------------------------------------------------

  function onPlay() {
    setPlaying(!model.get("playing"));
  }

  function onSlide() {
    if (!data) return;
    // Scrubbing takes over from playback.
    if (model.get("playing")) setPlaying(false);
    current = clampIndex(Number(slider.value), data.nFrames);
    drawFrame();
    const now = performance.now();
    if (now - lastSync >= SYNC_MS) sendFrame(now);
  }

  function onSlideEnd() {
    sendFrame();
  }

  function onFrameIndex() {
    if (!data || !geometry) return;
    const index = clampIndex(model.get("frame_index"), data.nFrames);
    // Our own writes come back as change events carrying the frame already shown.
    if (index === current) return;
    current = index;
    if (running) restartClock();
    drawFrame();
  }

  function onTiming() {
    if (running) restartClock();
  }

  function schedule() {
    if (pending) return;
    pending = true;
    // Python sets several traits in one hold_sync; they arrive as separate change events, so
    // the rebuild waits for the end of the current task and runs once.
    queueMicrotask(rebuild);
  }

  play.addEventListener("click", onPlay);
  slider.addEventListener("input", onSlide);
  slider.addEventListener("change", onSlideEnd);
  model.on("change:frame_index", onFrameIndex);
  model.on("change:playing", syncPlaying);
  model.on("change:fps", onTiming);
  model.on("change:loop", onTiming);
  // JupyterLab switches themes by attributes on <body>; the colours are read again then.
  const themes = new MutationObserver(schedule);
  themes.observe(document.body, {
    attributes: true,
    attributeFilter: ["data-jp-theme-name", "data-jp-theme-light"],
  });

  rebuild();
  const unwatch = watchModel(model, root, {
    traits: [
      "xy", "frames", "frame_labels", "species_names", "species_colors",
      "radius_nm", "core_radius_nm", "title",
    ],
    onChange: schedule,
    onError: showError,
    widthChanged: () => sizeKey() !== drawnKey,
  });
  return () => {
    unwatch();
    themes.disconnect();
    running = false;
    if (raf !== 0) cancelAnimationFrame(raf);
    raf = 0;
    model.off("change:frame_index", onFrameIndex);
    model.off("change:playing", syncPlaying);
    model.off("change:fps", onTiming);
    model.off("change:loop", onTiming);
  };
}

export default { render };
