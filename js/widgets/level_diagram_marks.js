// What the energy-level (Jablonski) diagram draws, apart from where it goes: transition kinds
// and sizes, label text runs, arrow shapes (straight, wavy, curved between columns), the line
// width scale and the legend. No DOM, so `node --test js/` covers it.
//
// level_diagram_core.js places these marks; keep this file free of browser APIs and of imports
// from outside js/ (lnhet_widgets.widgets.custom._assets inlines it into the widget's module).

/**
 * Transition kinds, in legend order, with their colour and how the arrow is drawn. The keys
 * are the ``kind`` strings of the Python side (lnhet_widgets.widgets.custom.level_diagram.KINDS) and
 * CSS class suffixes. Colours are the Okabe–Ito palette (distinguishable with the common
 * colour-vision deficiencies), darkened where the original is too light on white; shapes
 * (wavy, curved between columns) carry the kind as well, for a black-and-white projector.
 */
export const KINDS = {
  absorption: { label: "absorption", color: "#d55e00", shape: "straight" },
  emission: { label: "emission", color: "#0072b2", shape: "straight" },
  nonradiative: { label: "non-radiative decay", color: "#6e6e6e", shape: "wavy" },
  etu: { label: "energy-transfer upconversion (ETU)", color: "#e69f00", shape: "straight" },
  cross_relaxation: { label: "cross-relaxation", color: "#cc79a7", shape: "straight" },
  back_transfer: { label: "back transfer", color: "#8c6d00", shape: "straight" },
  lret: { label: "LRET (Tm → perovskite)", color: "#009e73", shape: "straight" },
  trapping: { label: "trapping", color: "#7b3f9e", shape: "wavy" },
  defect_transfer: { label: "defect → Yb transfer", color: "#2a9fd6", shape: "straight" },
};

/** Sizes in pixels; labels are 14 px so that the figure stays readable when projected. */
export const SIZES = {
  fontSize: 14,
  charWidth: 8, // rough width of one 14 px sans-serif character
  axisWidth: 64, // tick labels and the rotated axis title left of the columns
  top: 44, // column headers above the highest level
  bottom: 14, // below the lowest level, above the legend
  minLine: 70, // shortest level line
  linePad: 14, // from a level line's end to the nearest arrow on it
  slot: 20, // preferred distance between two arrows inside a column
  minSlot: 11,
  gap: 110, // preferred gap between columns, where the transfer arrows run
  minGap: 56,
  maxGap: 190,
  labelGap: 6, // from the end of a level line to its label
  minLabelGap: 17, // vertical distance between two labels of one column
  minWidth: 1, // arrow width of the smallest positive rate (thinner vanishes on a projector)
  maxWidth: 7, // arrow width of the largest rate
  legendRow: 22,
};

// Level names such as "3H4" or "2F5/2" are Russell–Saunders terms: multiplicity, L, J.
const TERM_RE = /^(\d+)([A-Z])(\d+(?:\/\d+)?)$/;

/**
 * Split a level name into text runs for display: term symbols get the multiplicity as a
 * superscript and J as a subscript ("3H4" → ³H₄); other names ("X", "VB") stay as they are.
 *
 * @param {string} name
 * @returns {{text: string, shift: "sup"|"sub"|null}[]}
 */
export function termParts(name) {
  const m = TERM_RE.exec(name);
  if (!m) return [{ text: name, shift: null }];
  return [
    { text: m[1], shift: "sup" },
    { text: m[2], shift: null },
    { text: m[3], shift: "sub" },
  ];
}

/**
 * Split a species name into text runs with the stoichiometric digits as subscripts
 * ("CsPbBr3" → CsPbBr₃). A name that starts with a digit is left alone.
 *
 * @param {string} name
 * @returns {{text: string, shift: "sub"|null}[]}
 */
export function formulaParts(name) {
  const parts = [];
  for (const m of name.matchAll(/(\d+(?:\.\d+)?)|(\D+)/g)) {
    const sub = m[1] !== undefined && parts.length > 0;
    parts.push({ text: m[0], shift: sub ? "sub" : null });
  }
  return parts.length ? parts : [{ text: name, shift: null }];
}

const SUP = { 0: "⁰", 1: "¹", 2: "²", 3: "³", 4: "⁴", 5: "⁵", 6: "⁶", 7: "⁷", 8: "⁸", 9: "⁹" };
const SUB = { 0: "₀", 1: "₁", 2: "₂", 3: "₃", 4: "₄", 5: "₅", 6: "₆", 7: "₇", 8: "₈", 9: "₉" };

/** Text runs as one plain string with Unicode super/subscript digits, for tooltips. */
export function plainText(parts) {
  return parts
    .map(({ text, shift }) => {
      const table = shift === "sup" ? SUP : shift === "sub" ? SUB : null;
      return table ? text.replace(/\d/g, (d) => table[d]) : text;
    })
    .join("");
}

/** Displayed width of text runs in pixels (super/subscripts are drawn smaller). */
export function textWidth(parts, charWidth = SIZES.charWidth) {
  return parts.reduce((w, p) => w + p.text.length * charWidth * (p.shift ? 0.75 : 1), 0);
}

/**
 * A rate for reading: two significant digits in e-notation ("1.2e3"), "0" for zero.
 *
 * @param {number} rate in s⁻¹
 * @returns {string}
 */
export function formatRate(rate) {
  if (rate === 0) return "0";
  if (!Number.isFinite(rate)) return String(rate);
  return rate.toExponential(1).replace("e+", "e");
}

/** "1e3" for a decade, as shown in the width legend. */
function decadeText(exponent) {
  return `1e${exponent}`;
}

/**
 * Map from log10(rate) onto arrow widths over the current range of positive rates.
 *
 * The range is widened to whole decades (so the legend can name them) and to at least one
 * decade; a zero rate gets the smallest width and is flagged, so that it is drawn faint.
 *
 * @param {ArrayLike<number>} rates in s⁻¹, each ≥ 0
 * @param {number} [minWidth]
 * @param {number} [maxWidth]
 * @returns {{lo: number, hi: number, width: (rate: number) => number, minWidth: number,
 *   maxWidth: number, empty: boolean}} lo, hi: decades (exponents) at the ends of the scale
 */
export function widthScale(rates, minWidth = SIZES.minWidth, maxWidth = SIZES.maxWidth) {
  const logs = Array.from(rates)
    .filter((r) => r > 0 && Number.isFinite(r))
    .map(Math.log10);
  if (logs.length === 0) {
    return { lo: 0, hi: 1, width: () => minWidth, minWidth, maxWidth, empty: true };
  }
  let lo = Math.floor(Math.min(...logs) + 1e-9);
  let hi = Math.ceil(Math.max(...logs) - 1e-9);
  if (hi <= lo) hi = lo + 1;
  const width = (rate) => {
    if (!(rate > 0)) return minWidth;
    const f = (Math.log10(rate) - lo) / (hi - lo);
    return minWidth + (maxWidth - minWidth) * Math.min(1, Math.max(0, f));
  };
  return { lo, hi, width, minWidth, maxWidth, empty: false };
}

/**
 * Arrow head at the end of a path: a triangle whose tip is `tip` and whose axis is the unit
 * vector `dir` (pointing into the tip). Its size grows with the line width, so a thick arrow
 * still shows a head.
 *
 * @returns {{points: [number, number][], length: number}}
 */
export function arrowHead(tip, dir, lineWidth) {
  const length = 7 + 1.4 * lineWidth;
  const half = 3.5 + 0.9 * lineWidth;
  const [tx, ty] = tip;
  const [dx, dy] = dir;
  const bx = tx - dx * length;
  const by = ty - dy * length;
  return {
    points: [
      [round(tx), round(ty)],
      [round(bx - dy * half), round(by + dx * half)],
      [round(bx + dy * half), round(by - dx * half)],
    ],
    length,
  };
}

/**
 * Wavy line (a chain of quadratic arcs) along x = `x` from y0 to y1, the usual symbol of a
 * non-radiative step.
 *
 * @returns {string} SVG path data
 */
export function wavyPath(x, y0, y1, amplitude = 3.5, wavelength = 9) {
  const length = Math.abs(y1 - y0);
  const sign = y1 >= y0 ? 1 : -1;
  const halfWaves = Math.max(1, Math.round(length / (wavelength / 2)));
  const step = length / halfWaves;
  let d = `M${round(x)},${round(y0)}`;
  for (let k = 0; k < halfWaves; k += 1) {
    const ya = y0 + sign * step * k;
    const side = k % 2 === 0 ? 1 : -1;
    d += ` Q${round(x + side * amplitude * 2)},${round(ya + sign * step / 2)}`;
    d += ` ${round(x)},${round(ya + sign * step)}`;
  }
  return d;
}

/** A straight (or wavy) arrow inside a column, from y0 to y1 at x. */
export function verticalGeometry(x, y0, y1, lineWidth, wavy = false) {
  const dir = y1 >= y0 ? 1 : -1;
  if (Math.abs(y1 - y0) < 1e-6) {
    return { path: `M${round(x)},${round(y0)}`, head: null, hit: `M${round(x)},${round(y0)}` };
  }
  const head = arrowHead([x, y1], [0, dir], lineWidth);
  // The line stops inside the head, so a thick line does not show past the tip.
  const yEnd = y1 - dir * Math.min(head.length * 0.8, Math.abs(y1 - y0));
  // Waves widen with the line, or a thick wavy line fills in and reads as a blob.
  const path = wavy
    ? wavyPath(x, y0, yEnd, 2.5 + 0.6 * lineWidth, 10 + 2.5 * lineWidth)
    : `M${round(x)},${round(y0)} L${round(x)},${round(yEnd)}`;
  return { path, head: head.points, hit: `M${round(x)},${round(y0)} L${round(x)},${round(y1)}` };
}

/**
 * A curved arrow between two columns: from the source level's attachment point (past its
 * label, or the line start when the target lies to the left) to the target's near end. It
 * bows to the left of its direction of travel, so a transfer and its reverse do not overlap,
 * and over any column in between.
 */
export function transferGeometry(from, to, columns, order, levels, lineWidth, repeat = 0) {
  const ca = columns[from.species];
  const cb = columns[to.species];
  const rightward = cb.index > ca.index;
  const p0 = [rightward ? ca.right : ca.x0 - 4, from.y];
  const p2 = [rightward ? cb.x0 - 4 : cb.right, to.y];
  const dx = p2[0] - p0[0];
  const dy = p2[1] - p0[1];
  const length = Math.hypot(dx, dy) || 1;
  // Left of the direction of travel, in screen coordinates (y down): (dy, -dx) / length.
  const nx = dy / length;
  const ny = -dx / length;
  const bow = (0.12 + 0.08 * repeat) * length;
  let c = [(p0[0] + p2[0]) / 2 + nx * bow, (p0[1] + p2[1]) / 2 + ny * bow];
  // Clear the columns in between: the curve's midpoint, (p0 + 2c + p2) / 4, must pass above
  // their highest level (and its label).
  const lo = Math.min(ca.index, cb.index);
  const hi = Math.max(ca.index, cb.index);
  if (hi - lo > 1) {
    const middle = new Set(order.slice(lo + 1, hi));
    const tops = levels.filter((l) => middle.has(l.species)).map((l) => Math.min(l.y, l.labelY - 14));
    const clear = Math.min(...tops) - 18;
    const mid = (p0[1] + 2 * c[1] + p2[1]) / 4;
    if (mid > clear) c = [c[0], (4 * clear - p0[1] - p2[1]) / 2];
  }
  const tx = p2[0] - c[0];
  const ty = p2[1] - c[1];
  const tl = Math.hypot(tx, ty) || 1;
  const dir = [tx / tl, ty / tl];
  const head = arrowHead(p2, dir, lineWidth);
  const end = [p2[0] - dir[0] * head.length * 0.8, p2[1] - dir[1] * head.length * 0.8];
  const q = (p) => `${round(p[0])},${round(p[1])}`;
  return {
    path: `M${q(p0)} Q${q(c)} ${q(end)}`,
    head: head.points,
    hit: `M${q(p0)} Q${q(c)} ${q(p2)}`,
    control: c.map(round),
  };
}

/**
 * Legend below the levels: one entry per kind present, wrapped into rows, then the width
 * scale (a line per decade) with the mapping stated.
 */
export function legendLayout(items, scaleW, width, top) {
  const s = SIZES;
  const left = 16;
  const swatch = 30;
  const entries = [];
  let x = left;
  let y = top + s.legendRow / 2;
  for (const item of items) {
    const w = swatch + 8 + item.label.length * s.charWidth * 0.9 + 22;
    if (x + w > width - 8 && x > left) {
      x = left;
      y += s.legendRow;
    }
    entries.push({ ...item, x, y, textX: x + swatch + 8 });
    x += w;
  }
  y += s.legendRow + 2;
  const decades = [];
  if (!scaleW.empty) {
    const step = Math.max(1, Math.ceil((scaleW.hi - scaleW.lo) / 6));
    for (let e = scaleW.lo; e <= scaleW.hi; e += step) decades.push(e);
    if (decades[decades.length - 1] !== scaleW.hi) decades.push(scaleW.hi);
  }
  const caption = scaleW.empty
    ? "Line width grows linearly with log₁₀(rate); no rate above zero yet. Dashed, faint: rate = 0."
    : `Line width grows linearly with log₁₀(rate): ${scaleW.minWidth} px at ` +
      `${decadeText(scaleW.lo)} s⁻¹ to ${scaleW.maxWidth} px at ${decadeText(scaleW.hi)} s⁻¹. ` +
      "Dashed, faint: rate = 0.";
  const samples = decades.map((e, k) => ({
    exponent: e,
    text: `${decadeText(e)} s⁻¹`,
    width: scaleW.width(10 ** e),
    x: left + k * 86,
  }));
  const captionY = y + 4;
  const samplesY = captionY + s.legendRow;
  return {
    entries,
    caption: { text: caption, x: left, y: captionY },
    samples: samples.map((m) => ({ ...m, y: samplesY })),
    bottom: samplesY + (samples.length ? 18 : 0),
  };
}

function round(v) {
  return Math.round(v * 10) / 10 + 0;
}
