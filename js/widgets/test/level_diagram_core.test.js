// Unit tests of the energy-level diagram's pure layout: `node --test js/`.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { niceTicks } from "../lib/ticks.js";
import { columnOrder, diagramLayout, energyScale, spreadLabels } from "../level_diagram_core.js";
import {
  arrowHead,
  formatRate,
  formulaParts,
  KINDS,
  plainText,
  termParts,
  transferGeometry,
  verticalGeometry,
  wavyPath,
  widthScale,
} from "../level_diagram_marks.js";

// The lesson-4 level scheme (SCIENCE.md §7), as the Python example sends it.
const LEVELS = [
  ["Yb", "2F7/2", 0],
  ["Yb", "2F5/2", 10250],
  ["Tm", "3H6", 0],
  ["Tm", "3F4", 5800],
  ["Tm", "3H5", 8300],
  ["Tm", "3H4", 12600],
  ["Tm", "3F3", 14500],
  ["Tm", "1G4", 21300],
  ["Tm", "1D2", 27700],
  ["CsPbBr3", "VB", 0],
  ["CsPbBr3", "X", 19500],
  ["CsPbBr3", "D", 11000],
];
const TRANSITIONS = [
  [0, 1, "absorption", 1.2e3],
  [1, 0, "emission", 4e2],
  [1, 4, "etu", 5e3],
  [1, 7, "etu", 8e2],
  [5, 1, "back_transfer", 50],
  [7, 8, "cross_relaxation", 20],
  [8, 3, "emission", 6e3],
  [4, 3, "nonradiative", 3.9e4],
  [8, 10, "lret", 2e4],
  [7, 10, "lret", 0],
  [10, 11, "trapping", 2e8],
  [11, 1, "defect_transfer", 1e5],
];

function state(overrides = {}) {
  return {
    species: LEVELS.map((l) => l[0]),
    names: LEVELS.map((l) => l[1]),
    energies: new Float64Array(LEVELS.map((l) => l[2])),
    ends: new Int32Array(TRANSITIONS.flatMap((t) => [t[0], t[1]])),
    kinds: TRANSITIONS.map((t) => t[2]),
    rates: new Float64Array(TRANSITIONS.map((t) => t[3])),
    ...overrides,
  };
}

describe("text", () => {
  test("term symbols get the multiplicity up and J down", () => {
    assert.deepEqual(termParts("3H4"), [
      { text: "3", shift: "sup" },
      { text: "H", shift: null },
      { text: "4", shift: "sub" },
    ]);
    assert.equal(plainText(termParts("2F5/2")), "²F₅/₂");
    assert.deepEqual(termParts("VB"), [{ text: "VB", shift: null }]);
  });

  test("formulas get subscript digits, element names stay", () => {
    assert.equal(plainText(formulaParts("CsPbBr3")), "CsPbBr₃");
    assert.equal(plainText(formulaParts("Yb")), "Yb");
  });

  test("rates read as two significant digits", () => {
    assert.equal(formatRate(1200), "1.2e3");
    assert.equal(formatRate(0), "0");
    assert.equal(formatRate(2.5e-3), "2.5e-3");
    assert.equal(formatRate(400), "4.0e2");
  });
});

describe("scales", () => {
  test("niceTicks steps by 5000 cm⁻¹ over the lesson's range", () => {
    assert.deepEqual(niceTicks(0, 27700, 6), [0, 5000, 10000, 15000, 20000, 25000]);
    assert.deepEqual(niceTicks(1, 1), []);
  });

  test("energy goes up the page, from 0 at the bottom", () => {
    const { y, domain } = energyScale([0, 10250, 27700], 40, 500);
    assert.equal(y(0), 500);
    assert.equal(y(27700), 40);
    assert.ok(y(10250) < y(0) && y(10250) > y(27700));
    assert.deepEqual(domain, [0, 27700]);
  });

  test("width is linear in log10(rate) between whole decades", () => {
    const s = widthScale([50, 2e4, 0], 1, 7);
    assert.equal(s.lo, 1);
    assert.equal(s.hi, 5);
    assert.equal(s.width(10), 1);
    assert.equal(s.width(1e5), 7);
    assert.ok(Math.abs(s.width(1e3) - 4) < 1e-12);
    assert.equal(s.width(0), 1); // zero rates: thinnest (and drawn faint)
    assert.equal(s.width(1e9), 7); // clamped
  });

  test("equal rates span one decade; no positive rate gives an empty scale", () => {
    const one = widthScale([100, 100]);
    assert.deepEqual([one.lo, one.hi], [2, 3]);
    assert.ok(widthScale([0, 0]).empty);
    assert.ok(widthScale([]).empty);
  });
});

describe("columnOrder", () => {
  const species = LEVELS.map((l) => l[0]);
  const energies = LEVELS.map((l) => l[2]);
  const ends = TRANSITIONS.map((t) => [t[0], t[1]]);

  test("puts Yb between Tm and CsPbBr3, so that only LRET jumps a column, over Yb", () => {
    assert.deepEqual(columnOrder(species, energies, ends), ["Tm", "Yb", "CsPbBr3"]);
  });

  test("keeps first appearance when nothing crosses", () => {
    assert.deepEqual(columnOrder(species, energies, []), ["Yb", "Tm", "CsPbBr3"]);
  });

  test("follows a requested order, appending species it does not name", () => {
    assert.deepEqual(columnOrder(species, energies, ends, ["Yb", "nope", "Yb"]), [
      "Yb",
      "Tm",
      "CsPbBr3",
    ]);
  });
});

describe("spreadLabels", () => {
  test("leaves separated labels alone and spreads close ones symmetrically", () => {
    assert.deepEqual(spreadLabels([100, 50, 200], 16), [100, 50, 200]);
    assert.deepEqual(spreadLabels([100, 104], 16), [94, 110]);
  });

  test("keeps the input order and every gap", () => {
    const ys = spreadLabels([10, 12, 14, 60, 61], 10);
    for (let i = 1; i < ys.length; i += 1) assert.ok(ys[i] - ys[i - 1] >= 10 - 1e-9);
  });
});

describe("arrow geometry", () => {
  test("a head points along the direction, tip first, and grows with the width", () => {
    const thin = arrowHead([0, 100], [0, 1], 1);
    const thick = arrowHead([0, 100], [0, 1], 6);
    assert.deepEqual(thin.points[0], [0, 100]);
    assert.ok(thin.points[1][1] < 100 && thin.points[2][1] < 100);
    assert.ok(thick.length > thin.length);
  });

  test("a vertical arrow stops its line inside the head", () => {
    const g = verticalGeometry(50, 400, 100, 4);
    assert.match(g.path, /^M50,400 L50,\d+/);
    const yEnd = Number(g.path.split(",").at(-1));
    assert.ok(yEnd > 100 && yEnd < 120);
    assert.deepEqual(g.head[0], [50, 100]);
    assert.equal(verticalGeometry(50, 100, 100, 1).head, null);
  });

  test("a wavy line starts and ends on its axis", () => {
    const d = wavyPath(10, 0, 45);
    assert.ok(d.startsWith("M10,0"));
    assert.ok(d.endsWith("10,45"));
  });

  test("a transfer and its reverse bow to opposite sides", () => {
    const columns = {
      A: { index: 0, x0: 0, x1: 80, right: 110 },
      B: { index: 1, x0: 250, x1: 330, right: 360 },
    };
    const levels = [
      { species: "A", y: 200, labelY: 196 },
      { species: "B", y: 240, labelY: 236 },
    ];
    const there = transferGeometry(levels[0], levels[1], columns, ["A", "B"], levels, 2);
    const back = transferGeometry(levels[1], levels[0], columns, ["A", "B"], levels, 2);
    assert.ok(there.path.startsWith("M110,200"));
    assert.ok(back.path.startsWith("M246,240"));
    const midline = 220;
    assert.ok((there.control[1] - midline) * (back.control[1] - midline) < 0);
  });

  test("an arrow that skips a column arcs over its levels", () => {
    const columns = {
      A: { index: 0, x0: 0, x1: 80, right: 110 },
      B: { index: 1, x0: 250, x1: 330, right: 360 },
      C: { index: 2, x0: 500, x1: 580, right: 610 },
    };
    const levels = [
      { species: "A", y: 300, labelY: 296 },
      { species: "B", y: 100, labelY: 96 },
      { species: "C", y: 300, labelY: 296 },
    ];
    const g = transferGeometry(levels[0], levels[2], columns, ["A", "B", "C"], levels, 2);
    // Midpoint of the quadratic: (p0 + 2c + p2) / 4 must lie above B's top label.
    const mid = (300 + 2 * g.control[1] + 300) / 4;
    assert.ok(mid <= 96 - 14 - 18 + 1e-6, `midpoint at ${mid}`);
  });
});

describe("diagramLayout", () => {
  const layout = diagramLayout(state({ selected: 1, width: 820 }));

  test("one level and one arrow per input, in input order", () => {
    assert.equal(layout.levels.length, LEVELS.length);
    assert.deepEqual(
      layout.arrows.map((a) => a.index),
      TRANSITIONS.map((_, i) => i),
    );
    assert.deepEqual(layout.order, ["Tm", "Yb", "CsPbBr3"]);
  });

  test("levels of a column share their x extent; higher energy is higher up", () => {
    const tm = layout.levels.filter((l) => l.species === "Tm");
    assert.ok(tm.every((l) => l.x0 === tm[0].x0 && l.x1 === tm[0].x1));
    for (let i = 1; i < tm.length; i += 1) assert.ok(tm[i].y < tm[i - 1].y);
  });

  test("columns and their label gutters do not overlap and fit the width", () => {
    const cols = layout.order.map((sp) => layout.columns[sp]);
    for (let i = 1; i < cols.length; i += 1) assert.ok(cols[i].x0 > cols[i - 1].right + 40);
    assert.ok(cols.at(-1).right <= 820);
    assert.ok(cols[0].x0 >= layout.axis.x);
  });

  test("labels of one column keep at least 17 px apart", () => {
    for (const sp of layout.order) {
      const ys = layout.levels
        .filter((l) => l.species === sp)
        .map((l) => l.labelY)
        .sort((a, b) => a - b);
      for (let i = 1; i < ys.length; i += 1) assert.ok(ys[i] - ys[i - 1] >= 17 - 1e-9);
    }
  });

  test("arrows inside a column get distinct slots inside its lines", () => {
    const tm = layout.columns.Tm;
    const xs = layout.arrows
      .filter((a) => !a.between && LEVELS[a.from][0] === "Tm")
      .map((a) => Number(/^M([\d.]+),/.exec(a.path)[1]));
    assert.equal(new Set(xs).size, xs.length);
    assert.ok(xs.every((x) => x > tm.x0 && x < tm.x1));
  });

  test("transfers between columns are curves; zero rates are flagged", () => {
    const etu = layout.arrows[2];
    assert.ok(etu.between);
    assert.match(etu.path, / Q/);
    assert.ok(layout.arrows[9].zero);
    assert.ok(!layout.arrows[8].zero);
    assert.ok(layout.arrows[10].width > layout.arrows[5].width); // 2e8 vs 20 s⁻¹
  });

  test("tooltips read 'from → to: kind, rate = … s⁻¹'", () => {
    assert.equal(
      layout.arrows[0].tooltip,
      "Yb ²F₇/₂ → Yb ²F₅/₂: absorption, rate = 1.2e3 s⁻¹",
    );
    assert.equal(
      layout.arrows[8].tooltip,
      "Tm ¹D₂ → CsPbBr₃ X: LRET (Tm → perovskite), rate = 2.0e4 s⁻¹",
    );
    assert.equal(layout.levels[5].tooltip, "Tm ³H₄: 12\u2009600 cm⁻¹"); // thin space
  });

  test("the selection flags its level and the arrows touching it", () => {
    assert.deepEqual(
      layout.levels.filter((l) => l.selected).map((l) => l.index),
      [1],
    );
    const connected = layout.arrows.filter((a) => a.connected).map((a) => a.index);
    assert.deepEqual(connected, [0, 1, 2, 3, 4, 11]);
  });

  test("the legend lists the kinds present, in KINDS order, and states the width mapping", () => {
    const kinds = layout.legend.entries.map((e) => e.kind);
    assert.deepEqual(
      kinds,
      Object.keys(KINDS).filter((k) => TRANSITIONS.some((t) => t[2] === k)),
    );
    assert.match(layout.legend.caption.text, /log₁₀\(rate\).*1e1 s⁻¹.*1e9 s⁻¹.*rate = 0/);
    assert.ok(layout.legend.entries.every((e) => e.x + 30 < 820));
    assert.ok(layout.height > layout.legend.caption.y);
  });

  test("a narrow drawing still keeps columns apart", () => {
    const narrow = diagramLayout(state({ width: 480 }));
    const cols = narrow.order.map((sp) => narrow.columns[sp]);
    for (let i = 1; i < cols.length; i += 1) assert.ok(cols[i].x0 >= cols[i - 1].right + 50);
  });

  test("levels without transitions, and nothing at all, lay out", () => {
    const bare = diagramLayout(state({ ends: [], kinds: [], rates: [] }));
    assert.equal(bare.arrows.length, 0);
    assert.ok(bare.widthScale.empty);
    const empty = diagramLayout({ species: [], names: [], energies: [], ends: [], kinds: [], rates: [] });
    assert.equal(empty.levels.length, 0);
  });

  test("rejects inconsistent input with a message naming it", () => {
    assert.throws(() => diagramLayout(state({ names: ["a"] })), /levels: 12 species, 1 names/);
    assert.throws(
      () => diagramLayout(state({ ends: new Int32Array(TRANSITIONS.flatMap(() => [0, 40])) })),
      /transitions\[0\] refers to a level that does not exist/,
    );
    assert.throws(
      () => diagramLayout(state({ kinds: TRANSITIONS.map(() => "laser") })),
      /unknown kind "laser"/,
    );
  });
});
