// Pure computations behind the energy-level (Jablonski) diagram: no DOM, so `node --test js/`
// covers them.
//
// The widget (level_diagram.js) turns the plain description returned by `diagramLayout` into
// SVG. Keep this file free of browser APIs and of imports from outside js/: anywidget serves
// one ES module, and lnhet_widgets.widgets._assets inlines this file into it.

import { niceTicks } from "./lib/ticks.js";

/**
 * Transition kinds, in legend order, with their colour and how the arrow is drawn. The keys
 * are the ``kind`` strings of the Python side (lnhet_widgets.widgets.level_diagram.KINDS) and
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
 * Order of the species columns.
 *
 * A requested order is used as far as it goes (unknown names are ignored, missing species are
 * appended in order of first appearance). Otherwise the order is chosen among all
 * permutations (there are at most a handful of species) to minimise the transfer arrows that
 * would have to pass through the levels of a column between their ends; ties keep the order
 * of first appearance. With Yb, Tm and CsPbBr3 this puts Yb in the middle, so that ETU,
 * back transfer and defect → Yb join neighbours and LRET from Tm's high levels arcs over Yb's
 * two low ones.
 *
 * @param {string[]} species species of each level
 * @param {number[]} energies energy of each level
 * @param {[number, number][]} ends (from, to) level indices of each transition
 * @param {string[]} [requested]
 * @returns {string[]}
 */
export function columnOrder(species, energies, ends, requested = []) {
  const appearance = [...new Set(species)];
  if (requested.length) {
    const known = requested.filter((s, i) => appearance.includes(s) && requested.indexOf(s) === i);
    return [...known, ...appearance.filter((s) => !known.includes(s))];
  }
  if (appearance.length > 6) return appearance; // 720 permutations: not worth it
  const top = Object.fromEntries(appearance.map((s) => [s, -Infinity]));
  const bottom = Object.fromEntries(appearance.map((s) => [s, Infinity]));
  species.forEach((s, i) => {
    top[s] = Math.max(top[s], energies[i]);
    bottom[s] = Math.min(bottom[s], energies[i]);
  });
  let best = appearance;
  let bestCost = Infinity;
  for (const order of permutations(appearance)) {
    let cost = 0;
    for (const [a, b] of ends) {
      const ca = order.indexOf(species[a]);
      const cb = order.indexOf(species[b]);
      if (Math.abs(ca - cb) < 2) continue;
      const low = Math.min(energies[a], energies[b]);
      for (let c = Math.min(ca, cb) + 1; c < Math.max(ca, cb); c += 1) {
        // An arrow whose lower end lies above a column's top level can arc over it.
        if (low <= top[order[c]]) cost += 1;
      }
      cost += 0.01 * (Math.abs(ca - cb) - 1); // prefer short arrows among equals
    }
    if (cost < bestCost - 1e-12) {
      best = order;
      bestCost = cost;
    }
  }
  return best;
}

function* permutations(items) {
  if (items.length <= 1) {
    yield items.slice();
    return;
  }
  for (let i = 0; i < items.length; i += 1) {
    const rest = [...items.slice(0, i), ...items.slice(i + 1)];
    for (const p of permutations(rest)) yield [items[i], ...p];
  }
}

/**
 * Spread label positions apart so that neighbours are at least `minGap` apart, moving each
 * as little as possible (labels keep their order).
 *
 * @param {number[]} ys wanted positions
 * @param {number} minGap
 * @returns {number[]} positions in the input order
 */
export function spreadLabels(ys, minGap) {
  const order = ys.map((y, i) => i).sort((a, b) => ys[a] - ys[b] || a - b);
  // Clusters of labels packed at minGap, each centred on the mean of its wanted positions;
  // clusters that then overlap are merged (pool-adjacent-violators on y − k·minGap).
  const clusters = [];
  for (const i of order) {
    clusters.push({ members: [i], sum: ys[i], start: ys[i] });
    while (clusters.length > 1) {
      const b = clusters[clusters.length - 1];
      const a = clusters[clusters.length - 2];
      if (a.start + a.members.length * minGap <= b.start + 1e-9) break;
      clusters.pop();
      const members = [...a.members, ...b.members];
      const offsets = members.reduce((s, m, k) => s + ys[m] - k * minGap, 0);
      clusters[clusters.length - 1] = { members, sum: 0, start: offsets / members.length };
    }
  }
  const out = new Array(ys.length);
  for (const c of clusters) c.members.forEach((m, k) => (out[m] = c.start + k * minGap));
  return out;
}

/**
 * Linear map from energies (cm⁻¹) onto y pixels, higher energy up.
 *
 * @param {number[]} energies
 * @param {number} yTop pixel of the highest energy shown
 * @param {number} yBottom pixel of the lowest
 * @returns {{y: (e: number) => number, domain: [number, number], ticks: number[]}}
 */
export function energyScale(energies, yTop, yBottom) {
  const lo = Math.min(0, ...energies);
  let hi = Math.max(...energies, lo + 1000);
  const ticks = niceTicks(lo, hi, 6);
  hi = Math.max(hi, ticks[ticks.length - 1] ?? hi);
  const k = (yBottom - yTop) / (hi - lo);
  return { y: (e) => yBottom - (e - lo) * k, domain: [lo, hi], ticks };
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

/**
 * Horizontal layout: the x extent of each column's level lines, the slot (x) of each arrow
 * inside a column, and the label gutter right of the lines.
 *
 * @param {string[]} order species, left to right
 * @param {Object<string, number>} slotsPerColumn arrows drawn inside each column
 * @param {Object<string, number>} labelWidths widest level label of each column
 * @param {number} width total drawing width
 * @returns {{columns: Object<string, {index: number, x0: number, x1: number, labelX: number,
 *   right: number, slot: number, center: number}>, contentWidth: number}}
 */
export function columnLayout(order, slotsPerColumn, labelWidths, width) {
  const s = SIZES;
  const gutters = order.map((sp) => s.labelGap + (labelWidths[sp] ?? 0) + 8);
  const lineFor = (sp, slot) =>
    Math.max(s.minLine, 2 * s.linePad + Math.max(0, (slotsPerColumn[sp] ?? 0) - 1) * slot);
  const gaps = Math.max(0, order.length - 1);
  const available = width - s.axisWidth - 12 - gutters.reduce((a, b) => a + b, 0);
  const natural = (slot, gap) =>
    order.reduce((sum, sp) => sum + lineFor(sp, slot), 0) + gaps * gap;
  let slot = s.slot;
  let gap = s.gap;
  if (natural(slot, gap) > available) {
    // Narrow: squeeze the gaps first (arrows between columns stay readable when short), then
    // the slots.
    gap = gaps ? Math.max(s.minGap, (available - natural(slot, 0)) / gaps) : 0;
    if (natural(slot, gap) > available) {
      const slotsTotal = order.reduce((n, sp) => n + Math.max(0, (slotsPerColumn[sp] ?? 0) - 1), 0);
      const fixed = natural(0, gap);
      slot = slotsTotal ? Math.max(s.minSlot, s.slot - (natural(slot, gap) - available) / slotsTotal) : slot;
      if (fixed > available) slot = s.minSlot;
    }
  } else if (gaps) {
    gap = Math.min(s.maxGap, (available - natural(slot, 0)) / gaps);
  }
  const contentWidth = natural(slot, gap) + gutters.reduce((a, b) => a + b, 0);
  // Centre what is drawn when the gaps hit their maximum.
  let x = s.axisWidth + Math.max(0, (width - s.axisWidth - 12 - contentWidth) / 2);
  const columns = {};
  order.forEach((sp, index) => {
    const line = lineFor(sp, slot);
    const x0 = x;
    const x1 = x0 + line;
    columns[sp] = {
      index,
      x0,
      x1,
      labelX: x1 + s.labelGap,
      right: x1 + gutters[index], // cross-column arrows leave and end past the labels
      slot,
      center: (x0 + x1) / 2,
    };
    x = x1 + gutters[index] + gap;
  });
  return { columns, contentWidth };
}

/**
 * Everything the widget draws, in pixels.
 *
 * @param {object} state
 * @param {string[]} state.species species (column) of each level
 * @param {string[]} state.names name of each level
 * @param {ArrayLike<number>} state.energies energy of each level in cm⁻¹
 * @param {string[]} [state.styles] "level" (default), "band" or "defect" for each level
 * @param {ArrayLike<number>} state.ends (from, to) level indices, flat: 2 per transition
 * @param {string[]} state.kinds kind of each transition (a key of KINDS)
 * @param {ArrayLike<number>} state.rates rate of each transition in s⁻¹
 * @param {number} [state.selected=-1] index of the selected level
 * @param {string[]} [state.columns] requested column order
 * @param {number} [state.width=820]
 * @param {number} [state.height=540] height of the level area (legend comes below)
 * @returns {object} layout (see the fields returned at the end)
 */
export function diagramLayout({
  species,
  names,
  energies,
  styles = [],
  ends,
  kinds,
  rates,
  selected = -1,
  columns: requested = [],
  width = 820,
  height = 540,
}) {
  const s = SIZES;
  const nLevels = names.length;
  const nTransitions = kinds.length;
  if (species.length !== nLevels || energies.length !== nLevels) {
    throw new Error(
      `levels: ${species.length} species, ${names.length} names and ${energies.length} ` +
        "energies do not match",
    );
  }
  if (ends.length !== 2 * nTransitions || rates.length !== nTransitions) {
    throw new Error(
      `transitions: ${ends.length / 2} (from, to) pairs, ${kinds.length} kinds and ` +
        `${rates.length} rates do not match`,
    );
  }
  const pairs = [];
  for (let t = 0; t < nTransitions; t += 1) {
    const a = ends[2 * t];
    const b = ends[2 * t + 1];
    if (!(a >= 0 && a < nLevels && b >= 0 && b < nLevels)) {
      throw new Error(`transitions[${t}] refers to a level that does not exist (${a} → ${b})`);
    }
    if (KINDS[kinds[t]] === undefined) {
      throw new Error(`transitions[${t}] has an unknown kind ${JSON.stringify(kinds[t])}`);
    }
    pairs.push([a, b]);
  }
  const E = Array.from(energies, Number);
  const order = nLevels ? columnOrder(species, E, pairs, requested) : [];

  // Arrows inside one column get their own slot, grouped by kind (legend order) and, within a
  // kind, from the highest upper level down so that cascades read left to right.
  const kindRank = Object.fromEntries(Object.keys(KINDS).map((k, i) => [k, i]));
  const inside = {};
  pairs.forEach(([a, b], t) => {
    if (species[a] === species[b]) (inside[species[a]] ??= []).push(t);
  });
  for (const list of Object.values(inside)) {
    list.sort((p, q) => {
      const [pa, pb] = pairs[p];
      const [qa, qb] = pairs[q];
      return (
        kindRank[kinds[p]] - kindRank[kinds[q]] ||
        Math.max(E[qa], E[qb]) - Math.max(E[pa], E[pb]) ||
        Math.min(E[qa], E[qb]) - Math.min(E[pa], E[pb]) ||
        p - q
      );
    });
  }
  const slotOf = new Map();
  for (const list of Object.values(inside)) list.forEach((t, k) => slotOf.set(t, k));

  const nameParts = names.map(termParts);
  const labelWidths = {};
  names.forEach((_, i) => {
    labelWidths[species[i]] = Math.max(labelWidths[species[i]] ?? 0, textWidth(nameParts[i]));
  });
  const slotsPerColumn = Object.fromEntries(order.map((sp) => [sp, inside[sp]?.length ?? 0]));
  const { columns } = columnLayout(order, slotsPerColumn, labelWidths, width);

  const yTop = s.top;
  const yBottom = height - s.bottom;
  const scale = energyScale(E.length ? E : [0], yTop, yBottom);

  // Levels, with their labels spread apart per column.
  const levelY = E.map(scale.y);
  const labelY = new Array(nLevels);
  for (const sp of order) {
    const idx = E.map((_, i) => i).filter((i) => species[i] === sp);
    // Label baselines sit just above their line; spread them so close levels stay legible.
    const spread = spreadLabels(
      idx.map((i) => levelY[i] - 4),
      s.minLabelGap,
    );
    idx.forEach((i, k) => (labelY[i] = spread[k]));
  }
  const speciesRange = {};
  E.forEach((e, i) => {
    const r = (speciesRange[species[i]] ??= { lo: e, hi: e });
    r.lo = Math.min(r.lo, e);
    r.hi = Math.max(r.hi, e);
  });
  const levels = E.map((e, i) => {
    const col = columns[species[i]];
    const style = ["band", "defect"].includes(styles[i]) ? styles[i] : "level";
    const range = speciesRange[species[i]];
    return {
      index: i,
      species: species[i],
      name: names[i],
      nameParts: nameParts[i],
      energy: e,
      style,
      // A band is shaded away from the gap: down from the valence band edge, up from the
      // conduction band (or exciton) edge.
      bandDirection: style === "band" ? (e <= (range.lo + range.hi) / 2 ? 1 : -1) : 0,
      x0: col.x0,
      x1: col.x1,
      y: levelY[i],
      labelX: col.labelX,
      labelY: labelY[i],
      // The line runs on under the label to the gutter's end, where transfer arrows attach.
      right: col.right,
      selected: i === selected,
      tooltip: `${plainText(formulaParts(species[i]))} ${plainText(nameParts[i])}: ${formatEnergy(e)} cm⁻¹`,
    };
  });

  const scaleW = widthScale(rates);
  // Transfer arrows between the same two levels in the same direction bow by different amounts.
  const seen = new Map();
  const arrows = pairs.map(([a, b], t) => {
    const rate = Number(rates[t]);
    const lineWidth = scaleW.width(rate);
    const kind = kinds[t];
    const from = levels[a];
    const to = levels[b];
    const between = species[a] !== species[b];
    let geometry;
    if (between) {
      const key = `${a}>${b}`;
      const repeat = seen.get(key) ?? 0;
      seen.set(key, repeat + 1);
      geometry = transferGeometry(from, to, columns, order, levels, lineWidth, repeat);
    } else {
      const col = columns[species[a]];
      const x = col.x0 + s.linePad + slotOf.get(t) * col.slot;
      geometry = verticalGeometry(x, from.y, to.y, lineWidth, KINDS[kind].shape === "wavy");
    }
    const fromText = `${plainText(formulaParts(species[a]))} ${plainText(from.nameParts)}`;
    const toText = `${plainText(formulaParts(species[b]))} ${plainText(to.nameParts)}`;
    return {
      index: t,
      from: a,
      to: b,
      kind,
      color: KINDS[kind].color,
      rate,
      zero: !(rate > 0),
      width: lineWidth,
      between,
      ...geometry,
      connected: selected >= 0 && (a === selected || b === selected),
      tooltip: `${fromText} → ${toText}: ${KINDS[kind].label}, rate = ${formatRate(rate)} s⁻¹`,
    };
  });

  const present = new Set(kinds);
  const legendItems = Object.entries(KINDS)
    .filter(([kind]) => present.has(kind))
    .map(([kind, info]) => ({ kind, label: info.label, color: info.color, shape: info.shape }));
  const legend = legendLayout(legendItems, scaleW, width, height + 8);

  const ticks = scale.ticks.map((e) => ({ energy: e, y: scale.y(e), text: String(e / 1000) }));
  const headers = order.map((sp) => ({
    species: sp,
    parts: formulaParts(sp),
    x: (columns[sp].x0 + columns[sp].right) / 2,
    y: 20,
  }));
  return {
    width,
    height: legend.bottom + 6,
    plotTop: yTop,
    plotBottom: yBottom,
    axis: { x: s.axisWidth - 14, ticks, title: "Energy (10³ cm⁻¹)" },
    order,
    columns,
    headers,
    levels,
    arrows,
    widthScale: scaleW,
    legend,
  };
}

function formatEnergy(e) {
  // 12600 -> "12 600" (thin space), as the lessons print wavenumbers.
  return Math.round(e)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, "\u2009");
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
