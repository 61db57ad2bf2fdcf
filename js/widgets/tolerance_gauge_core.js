// Pure computations behind the tolerance-factor gauge: no DOM, so `node --test js/` covers them.
//
// The widget (tolerance_gauge.js) turns the plain description returned by `gaugeLayout` into
// SVG. Keep this file free of browser APIs and of imports from outside js/: anywidget serves
// one ES module, and lnhet_widgets.widgets._assets inlines this file into it.

import { niceTicks } from "./lib/ticks.js";

/** Scale shown when every value lies inside it; wide enough to show the whole stable window. */
export const DEFAULT_DOMAIN = [0.75, 1.15];

/** A compound whose t lies at most this far above the lower limit gets a warning note. */
export const NEAR_MARGIN = 0.02;

/**
 * Classes of a tolerance factor t relative to the stable window [low, high]. The keys are used
 * as CSS class suffixes, the texts in the notes under the gauge.
 */
export const CLASS_TEXT = {
  below: "below the stable window",
  "near-lower": "near the lower limit",
  inside: "inside the stable window",
  above: "above the stable window",
};

// Values are typed with three decimals; comparisons tolerate float noise such as
// 0.82 - 0.8 = 0.01999999999999991, so "within 0.02" does not depend on rounding.
const EPS = 1e-9;

/**
 * Classify a tolerance factor against the stable window.
 *
 * @param {number} t tolerance factor
 * @param {number} low lower limit of the window (inclusive)
 * @param {number} high upper limit of the window (inclusive)
 * @param {number} [margin=NEAR_MARGIN] width of the "near the lower limit" band above `low`
 * @returns {"below"|"near-lower"|"inside"|"above"}
 */
export function classify(t, low, high, margin = NEAR_MARGIN) {
  if (t < low - EPS) return "below";
  if (t > high + EPS) return "above";
  if (t - low <= margin + EPS) return "near-lower";
  return "inside";
}

/**
 * Domain of the scale: DEFAULT_DOMAIN widened, in steps of 0.05, to include every value and
 * both limits with some room for the marker.
 *
 * @param {number[]} ts tolerance factors
 * @param {number} low
 * @param {number} high
 * @returns {[number, number]}
 */
export function scaleDomain(ts, low, high) {
  const pad = 0.02;
  const step = 0.05;
  let lo = Math.min(DEFAULT_DOMAIN[0], low - pad, ...ts.map((t) => t - pad));
  let hi = Math.max(DEFAULT_DOMAIN[1], high + pad, ...ts.map((t) => t + pad));
  lo = Math.floor(lo / step + EPS) * step;
  hi = Math.ceil(hi / step - EPS) * step;
  return [roundTo(lo, 6), roundTo(hi, 6)];
}

/**
 * Linear map from a domain of t to pixel positions.
 *
 * @param {[number, number]} domain
 * @param {[number, number]} range
 * @returns {(t: number) => number}
 */
export function linearScale(domain, range) {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const k = (r1 - r0) / (d1 - d0);
  return (t) => r0 + (t - d0) * k;
}

/**
 * Put labels into lanes so that labels in one lane are at least `minGap` pixels apart.
 *
 * @param {number[]} xs anchor positions in pixels
 * @param {number} minGap
 * @returns {number[]} lane index per input position (0 = closest to the axis)
 */
export function assignLanes(xs, minGap) {
  const order = xs.map((x, i) => i).sort((a, b) => xs[a] - xs[b]);
  const laneEnds = [];
  const lanes = new Array(xs.length);
  for (const i of order) {
    let lane = laneEnds.findIndex((end) => xs[i] - end >= minGap);
    if (lane === -1) {
      lane = laneEnds.length;
      laneEnds.push(xs[i]);
    } else {
      laneEnds[lane] = xs[i];
    }
    lanes[i] = lane;
  }
  return lanes;
}

/** Tolerance factors are quoted with three decimals, as in the lessons. */
export function formatT(t) {
  return t.toFixed(3);
}

/**
 * Everything the widget draws, in pixels: the scale, the shaded window, one marker per
 * compound (with its label lane and class) and the notes.
 *
 * @param {object} state
 * @param {{label: string, t: number}[]} state.values
 * @param {number} state.low
 * @param {number} state.high
 * @param {string} [state.selected] label of the highlighted compound
 * @param {number} [state.width=640] drawing width in pixels
 * @returns {object} layout description (see the fields returned below)
 */
export function gaugeLayout({ values, low, high, selected = "", width = 640 }) {
  const margin = { left: 24, right: 24 };
  const axisY = 50; // room above the axis for the window caption and the tick labels
  const firstLabel = 30; // baseline of the first label lane below the axis
  const laneHeight = 20;
  const labelChar = 7; // rough width of one 12 px sans-serif character
  const domain = scaleDomain(
    values.map((v) => v.t),
    low,
    high,
  );
  const range = [margin.left, width - margin.right];
  const x = linearScale(domain, range);
  // At most one tick per 60 px keeps the tick labels ("0.85") apart at any width.
  const tickCount = Math.max(4, Math.floor((range[1] - range[0]) / 60));
  const ticks = niceTicks(domain[0], domain[1], tickCount).map((t) => ({
    t,
    x: x(t),
    text: String(t),
  }));
  const texts = values.map((v) => `${v.label} ${formatT(v.t)}`);
  const xs = values.map((v) => x(v.t));
  // Labels are centred on their marker but kept inside the drawing, so two labels collide
  // when their centres are closer than the longer label plus a small gap.
  const halfWidths = texts.map((s) => (s.length * labelChar) / 2);
  const labelXs = xs.map((px, i) => clamp(px, halfWidths[i] + 2, width - halfWidths[i] - 2));
  const lanes = assignLanes(labelXs, 2 * Math.max(0, ...halfWidths) + 12);
  const markers = values.map((v, i) => ({
    label: v.label,
    t: v.t,
    x: xs[i],
    labelX: labelXs[i],
    text: texts[i],
    cls: classify(v.t, low, high),
    lane: lanes[i],
    labelY: axisY + firstLabel + lanes[i] * laneHeight,
    selected: v.label === selected,
  }));
  const nLanes = markers.length ? Math.max(...lanes) + 1 : 0;
  const notes = markers
    .filter((m) => m.cls !== "inside")
    .map((m) => ({ label: m.label, cls: m.cls, text: `${m.text}: ${CLASS_TEXT[m.cls]}` }));
  return {
    width,
    height: axisY + firstLabel + Math.max(nLanes, 1) * laneHeight,
    axisY,
    domain,
    range,
    ticks,
    window: { low, high, x0: x(low), x1: x(high) },
    markers,
    notes,
  };
}

function clamp(value, lo, hi) {
  return lo > hi ? (lo + hi) / 2 : Math.min(hi, Math.max(lo, value));
}

function roundTo(value, decimals) {
  const f = 10 ** decimals;
  // Adding 0 turns -0 (from rounding tiny negatives) into 0, which prints and compares as 0.
  return Math.round(value * f) / f + 0;
}
