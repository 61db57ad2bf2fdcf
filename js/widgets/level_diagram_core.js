// Where the energy-level (Jablonski) diagram's marks go: the order of the species columns,
// the energy scale, the columns' x extent, labels spread apart, and `diagramLayout`, which
// returns everything the widget draws, in pixels. No DOM, so `node --test js/` covers it.
//
// The widget (level_diagram.js) turns that plain description into SVG; the look of the marks
// (kinds, sizes, label text, arrow shapes, legend) is in level_diagram_marks.js. Keep this file
// free of browser APIs and of imports from outside js/: anywidget serves one ES module, and
// lnhet_widgets.widgets.custom._assets inlines this file into it.

import { niceTicks } from "./lib/ticks.js";
import {
  formatRate,
  formulaParts,
  KINDS,
  legendLayout,
  plainText,
  SIZES,
  termParts,
  textWidth,
  transferGeometry,
  verticalGeometry,
  widthScale,
} from "./level_diagram_marks.js";

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
