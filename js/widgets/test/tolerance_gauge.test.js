// Unit tests of the gauge's pure computations: `node --test js/`.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { niceTicks } from "../lib/ticks.js";
import {
  assignLanes,
  classify,
  DEFAULT_DOMAIN,
  gaugeLayout,
  linearScale,
  scaleDomain,
} from "../tolerance_gauge_core.js";

const PEROVSKITES = [
  { label: "CsPbCl3", t: 0.82 },
  { label: "CsPbBr3", t: 0.815 },
  { label: "CsPbI3", t: 0.807 },
];

describe("classify", () => {
  test("places t relative to the window [0.8, 1.11]", () => {
    assert.equal(classify(0.79, 0.8, 1.11), "below");
    assert.equal(classify(0.8, 0.8, 1.11), "near-lower");
    assert.equal(classify(0.807, 0.8, 1.11), "near-lower");
    assert.equal(classify(0.9, 0.8, 1.11), "inside");
    assert.equal(classify(1.11, 0.8, 1.11), "inside");
    assert.equal(classify(1.12, 0.8, 1.11), "above");
  });

  test("the 0.02 band is inclusive despite float noise (0.82 - 0.8 < 0.02 in binary)", () => {
    assert.equal(classify(0.82, 0.8, 1.11), "near-lower");
    assert.equal(classify(0.8201, 0.8, 1.11), "inside");
  });

  test("the margin is a parameter", () => {
    assert.equal(classify(0.85, 0.8, 1.11, 0.05), "near-lower");
    assert.equal(classify(0.807, 0.8, 1.11, 0), "inside");
  });
});

describe("scaleDomain", () => {
  test("is the default domain when everything fits", () => {
    assert.deepEqual(scaleDomain([0.807, 0.815, 0.82], 0.8, 1.11), DEFAULT_DOMAIN);
    assert.deepEqual(scaleDomain([], 0.8, 1.11), DEFAULT_DOMAIN);
  });

  test("widens in steps of 0.05 to show outliers", () => {
    assert.deepEqual(scaleDomain([0.71], 0.8, 1.11), [0.65, 1.15]);
    assert.deepEqual(scaleDomain([1.2], 0.8, 1.11), [0.75, 1.25]);
  });
});

describe("linearScale", () => {
  test("maps the domain ends onto the range ends", () => {
    const x = linearScale([0.75, 1.15], [24, 616]);
    assert.equal(x(0.75), 24);
    assert.ok(Math.abs(x(1.15) - 616) < 1e-9);
    assert.ok(Math.abs(x(0.95) - 320) < 1e-9);
  });
});

describe("niceTicks", () => {
  test("uses 0.05 steps over the default domain, without float noise", () => {
    assert.deepEqual(
      niceTicks(0.75, 1.15, 8),
      [0.75, 0.8, 0.85, 0.9, 0.95, 1, 1.05, 1.1, 1.15],
    );
  });

  test("picks 1, 2 or 5 times a power of ten", () => {
    assert.deepEqual(niceTicks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
    assert.deepEqual(niceTicks(0, 100, 4), [0, 50, 100]);
  });

  test("is empty for an empty interval", () => {
    assert.deepEqual(niceTicks(1, 1), []);
    assert.deepEqual(niceTicks(2, 1), []);
  });
});

describe("assignLanes", () => {
  test("puts close labels in different lanes and reuses free lanes", () => {
    assert.deepEqual(assignLanes([10, 15, 200, 20], 50), [0, 1, 0, 2]);
    assert.deepEqual(assignLanes([0, 60, 120], 50), [0, 0, 0]);
    assert.deepEqual(assignLanes([], 50), []);
  });
});

describe("gaugeLayout", () => {
  const layout = gaugeLayout({ values: PEROVSKITES, low: 0.8, high: 1.11, selected: "CsPbBr3" });

  test("has one marker per compound, in input order, with the selected one flagged", () => {
    assert.deepEqual(
      layout.markers.map((m) => [m.label, m.text, m.selected]),
      [
        ["CsPbCl3", "CsPbCl3 0.820", false],
        ["CsPbBr3", "CsPbBr3 0.815", true],
        ["CsPbI3", "CsPbI3 0.807", false],
      ],
    );
  });

  test("orders markers along the axis by t and shades the window inside the axis", () => {
    const [cl, br, i] = layout.markers.map((m) => m.x);
    assert.ok(i < br && br < cl);
    const [x0, x1] = layout.range;
    assert.ok(x0 <= layout.window.x0 && layout.window.x1 <= x1);
    assert.ok(layout.ticks.every((tick) => x0 <= tick.x && tick.x <= x1));
  });

  test("stacks overlapping labels in lanes and grows the drawing to fit them", () => {
    const lanes = layout.markers.map((m) => m.lane);
    assert.equal(new Set(lanes).size, 3);
    assert.ok(Math.max(...layout.markers.map((m) => m.labelY)) < layout.height);
  });

  test("keeps labels inside the drawing", () => {
    const edge = gaugeLayout({ values: [{ label: "LongCompoundName", t: 0.75 }], low: 0.8, high: 1.11 });
    const m = edge.markers[0];
    assert.ok(m.labelX - (m.text.length * 7) / 2 >= 0);
  });

  test("notes every compound near the lower limit", () => {
    assert.deepEqual(
      layout.notes.map((n) => n.text),
      [
        "CsPbCl3 0.820: near the lower limit",
        "CsPbBr3 0.815: near the lower limit",
        "CsPbI3 0.807: near the lower limit",
      ],
    );
  });

  test("notes values outside the window and none for values well inside", () => {
    const other = gaugeLayout({
      values: [
        { label: "A", t: 0.7 },
        { label: "B", t: 0.95 },
        { label: "C", t: 1.2 },
      ],
      low: 0.8,
      high: 1.11,
    });
    assert.deepEqual(
      other.notes.map((n) => [n.label, n.cls]),
      [
        ["A", "below"],
        ["C", "above"],
      ],
    );
  });

  test("spaces tick labels at least 40 px apart, also in a narrow column", () => {
    for (const width of [320, 640, 760]) {
      const { ticks } = gaugeLayout({ values: PEROVSKITES, low: 0.8, high: 1.11, width });
      const gaps = ticks.slice(1).map((tick, i) => tick.x - ticks[i].x);
      assert.ok(ticks.length >= 3 && Math.min(...gaps) >= 40, `width ${width}: ${gaps}`);
    }
  });

  test("draws an empty gauge for no values", () => {
    const empty = gaugeLayout({ values: [], low: 0.8, high: 1.11 });
    assert.deepEqual(empty.markers, []);
    assert.ok(empty.ticks.length > 0 && empty.height > empty.axisY);
  });
});
