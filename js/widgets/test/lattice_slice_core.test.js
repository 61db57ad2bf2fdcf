// Unit tests of the lattice-slice animation's pure parts: `node --test js/`.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
  canvasSide,
  checkShapes,
  clampIndex,
  contrastRatio,
  countTable,
  dotRadiusPx,
  drawOrder,
  frameAtTime,
  frameLabel,
  frameRate,
  parseColor,
  relativeLuminance,
  scaleBarNm,
  SIZES,
  sliceLayout,
  speciesCounts,
  typicalSpacing,
  visibleColor,
} from "../lattice_slice_core.js";

// A hexagonal patch with spacing 0.35 nm (the projected slab of the lesson's particle has
// 0.347 nm), plus a copy of every site as a second layer seen end-on.
function hexPatch(n, a = 0.35) {
  const xy = [];
  for (let i = -n; i <= n; i += 1) {
    for (let j = -n; j <= n; j += 1) xy.push(a * (i + j / 2), a * j * (Math.sqrt(3) / 2));
  }
  return xy;
}

describe("layout", () => {
  test("the particle's disc fills the box less the margin, centred, y up", () => {
    const xy = new Float32Array([0, 0, 4, 0, 0, 4, -2, -1]);
    const { scale, cx, cy, radiusNm, px } = sliceLayout(xy, 400, 300, 5, 10);
    assert.equal(radiusNm, 5);
    assert.equal(scale, (150 - 10) / 5); // the shorter side decides
    assert.deepEqual([cx, cy], [200, 150]);
    assert.deepEqual(Array.from(px), [200, 150, 312, 150, 200, 38, 144, 178]);
    assert.ok(px instanceof Float32Array);
  });

  test("without a radius the farthest site sets the scale", () => {
    const { radiusNm, scale } = sliceLayout([3, 4, 1, 0], 220, 220, 0, 10);
    assert.equal(radiusNm, 5);
    assert.equal(scale, 20);
  });

  test("no sites still gives a usable scale", () => {
    const { scale, px } = sliceLayout([], 100, 100, 0);
    assert.ok(scale > 0 && Number.isFinite(scale));
    assert.equal(px.length, 0);
  });

  test("typical spacing is the nearest-neighbour distance, coinciding layers ignored", () => {
    const one = hexPatch(4);
    assert.ok(Math.abs(typicalSpacing(one) - 0.35) < 1e-9);
    const twoLayers = [...one, ...one];
    assert.ok(Math.abs(typicalSpacing(twoLayers) - 0.35) < 1e-9);
    assert.ok(Math.abs(typicalSpacing(one, 5) - 0.35) < 1e-9); // sampled
    assert.ok(Number.isNaN(typicalSpacing([1, 1, 1, 1])));
    assert.ok(Number.isNaN(typicalSpacing([])));
  });

  test("dots take a share of the spacing, clamped", () => {
    assert.equal(dotRadiusPx(0.35, 50), 0.35 * 50 * SIZES.dotFill);
    assert.equal(dotRadiusPx(0.35, 1), SIZES.minDot);
    assert.equal(dotRadiusPx(5, 50), SIZES.maxDot);
    assert.equal(dotRadiusPx(Number.NaN, 50), SIZES.maxDot);
    assert.equal(dotRadiusPx(1, 10, { fill: 0.5, min: 0, max: 100 }), 5);
  });

  test("the canvas sits beside the legend when both fit, else takes the width", () => {
    assert.equal(canvasSide(700), 500);
    assert.equal(canvasSide(1000), SIZES.maxSide);
    assert.equal(canvasSide(400), 400); // 200 beside the legend is too small: legend wraps
    assert.equal(canvasSide(SIZES.minSide + SIZES.legendWidth), SIZES.minSide);
    assert.equal(canvasSide(50), 120);
    assert.equal(canvasSide(333.7), 333);
  });

  test("scale bars are 1, 2 or 5 times a power of ten", () => {
    assert.equal(scaleBarNm(50), 1); // 90 px hold 1.8 nm
    assert.equal(scaleBarNm(40), 2);
    assert.equal(scaleBarNm(15), 5);
    assert.equal(scaleBarNm(500), 0.1);
  });
});

describe("playback", () => {
  test("frames advance with time at the given rate", () => {
    assert.equal(frameAtTime(0, 30, 21, 0, true), 0);
    assert.equal(frameAtTime(33, 30, 21, 0, true), 0);
    assert.equal(frameAtTime(1000 / 30, 30, 21, 0, true), 1); // float noise does not lose it
    assert.equal(frameAtTime(500, 30, 21, 3, true), 18);
    assert.equal(frameAtTime(100, 10, 21, 5, false), 6);
  });

  test("a slow tick skips frames rather than slowing down", () => {
    assert.equal(frameAtTime(250, 30, 100, 0, true), 7);
  });

  test("looping wraps round, otherwise playback stops at the last frame", () => {
    assert.equal(frameAtTime(1000, 30, 21, 0, true), 30 % 21);
    assert.equal(frameAtTime(1000, 30, 21, 20, true), 50 % 21);
    assert.equal(frameAtTime(1000, 30, 21, 0, false), 20);
    assert.equal(frameAtTime(1e9, 120, 21, 0, false), 20);
  });

  test("odd inputs stay in range", () => {
    assert.equal(frameAtTime(500, 30, 0, 0, true), 0);
    assert.equal(frameAtTime(-50, 30, 21, 4, true), 4);
    assert.equal(frameAtTime(0, 30, 21, 99, false), 20);
    assert.equal(clampIndex(-3, 21), 0);
    assert.equal(clampIndex(7.8, 21), 7);
    assert.equal(clampIndex(40, 21), 20);
    assert.equal(clampIndex(Number.NaN, 21), 0);
    assert.equal(clampIndex(5, 0), 0);
  });

  test("frame rate from a count over a span", () => {
    assert.equal(frameRate(15, 500), 30);
    assert.ok(Number.isNaN(frameRate(3, 0)));
  });

  test("labels from Python, or a frame counter", () => {
    assert.equal(frameLabel(["step 0 · 0 s", "step 500 · 34 min"], 1, 2), "step 500 · 34 min");
    assert.equal(frameLabel([], 2, 21), "frame 3 of 21");
    assert.equal(frameLabel(["a"], 4, 21), "frame 5 of 21");
    assert.equal(frameLabel([], 0, 0), "no snapshots");
  });
});

describe("colours", () => {
  test("hex and rgb() forms parse to 0-255 channels", () => {
    assert.deepEqual(parseColor("#e65100"), [230, 81, 0]);
    assert.deepEqual(parseColor("#FFF"), [255, 255, 255]);
    assert.deepEqual(parseColor(" rgb(17, 17, 17) "), [17, 17, 17]);
    assert.deepEqual(parseColor("rgba(0, 128, 255, 0.5)"), [0, 128, 255]);
    assert.deepEqual(parseColor("rgb(0 128 255 / 50%)"), [0, 128, 255]);
  });

  test("anything else is null", () => {
    for (const text of ["", "red", "#12345", "#gg0000", "rgb(300, 0, 0)", null, undefined]) {
      assert.equal(parseColor(text), null, String(text));
    }
  });

  test("luminance and contrast follow WCAG", () => {
    assert.equal(relativeLuminance([0, 0, 0]), 0);
    assert.equal(relativeLuminance([255, 255, 255]), 1);
    assert.ok(Math.abs(contrastRatio([0, 0, 0], [255, 255, 255]) - 21) < 1e-12);
    assert.equal(contrastRatio([90, 90, 90], [90, 90, 90]), 1);
  });

  test("a colour that vanishes on the background gives way to the fallback", () => {
    // The vacancy ring on JupyterLab's light and dark themes.
    assert.equal(visibleColor("#212121", "rgb(255, 255, 255)", "#eee"), "#212121");
    assert.equal(visibleColor("#212121", "rgb(17, 17, 17)", "rgb(230, 230, 230)"),
      "rgb(230, 230, 230)");
    assert.equal(visibleColor("not a colour", "#fff", "#000"), "#000");
    assert.equal(visibleColor("#ff0000", "???", "#000"), "#ff0000");
  });
});

describe("species", () => {
  test("counts per species, out-of-range codes ignored, output reusable", () => {
    const frame = new Int8Array([0, 1, 1, 3, 4, 4, 4, 2, 7, -1]);
    assert.deepEqual(Array.from(speciesCounts(frame, 5)), [1, 2, 1, 1, 3]);
    const out = new Int32Array(5).fill(9);
    assert.equal(speciesCounts([0, 0], 5, out), out);
    assert.deepEqual(Array.from(out), [2, 0, 0, 0, 0]);
  });

  test("the count table holds every frame's counts", () => {
    const frames = new Int8Array([0, 1, 3, 3, /* frame 1 */ 1, 1, 3, 0, /* frame 2 */ 4, 4, 4, 4]);
    const table = countTable(frames, 3, 4, 5);
    assert.deepEqual(Array.from(table), [1, 1, 0, 2, 0, 1, 2, 0, 1, 0, 0, 0, 0, 0, 4]);
    for (let f = 0; f < 3; f += 1) {
      assert.deepEqual(
        Array.from(table.subarray(5 * f, 5 * f + 5)),
        Array.from(speciesCounts(frames.subarray(4 * f, 4 * f + 4), 5)),
      );
    }
  });

  test("vacancies are drawn last, on top of coinciding sites", () => {
    assert.deepEqual(drawOrder(5), [1, 2, 3, 4, 0]);
    assert.deepEqual(drawOrder(1), [0]);
    assert.deepEqual(drawOrder(0), []);
  });
});

describe("shapes", () => {
  test("xy and frames describe the same sites", () => {
    assert.deepEqual(checkShapes([572, 2], [21, 572]), { nSites: 572, nFrames: 21 });
    assert.deepEqual(checkShapes([0, 2], [0, 0]), { nSites: 0, nFrames: 0 });
  });

  test("a mismatch is named", () => {
    assert.throws(() => checkShapes([572, 3], [21, 572]), /xy must have shape \(k, 2\), got \(572, 3\)/);
    assert.throws(() => checkShapes([572, 2], [572]), /frames must have shape \(m, k\)/);
    assert.throws(() => checkShapes([572, 2], [21, 570]), /frames has 570 sites per frame but xy has 572/);
  });
});
