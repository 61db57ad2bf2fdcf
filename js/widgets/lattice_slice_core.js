// Pure computations behind the lattice-slice animation: no DOM, so `node --test js/` covers
// them.
//
// The widget (lattice_slice.js) draws a 2-D cross-section of an annealing simulation on a
// canvas, one frame per snapshot. Keep this file free of browser APIs and of imports from
// outside js/: anywidget serves one ES module, and lnhet_widgets.widgets._assets inlines this
// file into it.

/** Sizes in CSS pixels. */
export const SIZES = {
  margin: 12, // between the particle's outline and the canvas edge
  dotFill: 0.42, // dot radius as a share of the site spacing: neighbours keep a visible gap
  minDot: 1.5, // smaller dots vanish on a projector
  maxDot: 14,
  minSide: 220, // narrowest canvas the legend may sit beside
  maxSide: 520,
  legendWidth: 200, // legend column plus the gap before it
};

// Sites closer than this in the plane (nm) are one column seen end-on (sites of different
// layers of the slab project onto each other), not neighbours.
const SAME_SITE_NM = 1e-3;

/**
 * Pixel geometry of the slice: the particle's disc (radius `radiusNm`) fitted into a
 * width × height box with `margin` pixels to spare, centred, y up.
 *
 * @param {ArrayLike<number>} xy site coordinates in nm, flat [x0, y0, x1, y1, ...]
 * @param {number} width box width in pixels
 * @param {number} height box height in pixels
 * @param {number} radiusNm radius the box must hold; ≤ 0 (not known) uses the farthest site
 * @param {number} [margin=SIZES.margin]
 * @returns {{scale: number, cx: number, cy: number, radiusNm: number, px: Float32Array}}
 *   `scale` in pixels per nm, (`cx`, `cy`) the pixel of the origin, `px` the pixel centres of
 *   the sites, flat like `xy`
 */
export function sliceLayout(xy, width, height, radiusNm, margin = SIZES.margin) {
  let radius = radiusNm;
  if (!(radius > 0)) {
    radius = 0;
    for (let i = 0; i < xy.length; i += 2) radius = Math.max(radius, Math.hypot(xy[i], xy[i + 1]));
  }
  if (!(radius > 0)) radius = 1; // no sites, or all at the origin: any scale will do
  const room = Math.max(1, Math.min(width, height) / 2 - margin);
  const scale = room / radius;
  const cx = width / 2;
  const cy = height / 2;
  const px = new Float32Array(xy.length);
  for (let i = 0; i < xy.length; i += 2) {
    px[i] = cx + xy[i] * scale;
    // Canvas y grows downwards; the slice is drawn with its second axis up.
    px[i + 1] = cy - xy[i + 1] * scale;
  }
  return { scale, cx, cy, radiusNm: radius, px };
}

/**
 * Typical distance between neighbouring sites in the plane: the median distance from a site
 * to its nearest neighbour, over at most `maxSamples` evenly spread sites. Coinciding sites
 * (layers of the slab seen end-on) do not count as neighbours.
 *
 * @param {ArrayLike<number>} xy flat coordinates in nm
 * @param {number} [maxSamples=256] bounds the cost at maxSamples × sites distance checks
 * @returns {number} nm; NaN with fewer than two distinct sites
 */
export function typicalSpacing(xy, maxSamples = 256) {
  const n = Math.floor(xy.length / 2);
  const stride = Math.max(1, Math.ceil(n / maxSamples));
  const nearest = [];
  for (let i = 0; i < n; i += stride) {
    let best = Infinity;
    for (let j = 0; j < n; j += 1) {
      const d = Math.hypot(xy[2 * j] - xy[2 * i], xy[2 * j + 1] - xy[2 * i + 1]);
      if (d > SAME_SITE_NM && d < best) best = d;
    }
    if (best < Infinity) nearest.push(best);
  }
  if (nearest.length === 0) return NaN;
  nearest.sort((a, b) => a - b);
  const mid = nearest.length >> 1;
  return nearest.length % 2 ? nearest[mid] : (nearest[mid - 1] + nearest[mid]) / 2;
}

/**
 * Radius of a site's dot in pixels: a share of the site spacing, clamped so that dots stay
 * visible on a crowded slice and do not turn into blobs on a sparse one.
 *
 * @param {number} spacingNm typical neighbour distance (typicalSpacing); NaN gives `max`
 * @param {number} scale pixels per nm
 * @param {{fill?: number, min?: number, max?: number}} [options]
 * @returns {number}
 */
export function dotRadiusPx(
  spacingNm,
  scale,
  { fill = SIZES.dotFill, min = SIZES.minDot, max = SIZES.maxDot } = {},
) {
  const r = spacingNm * scale * fill;
  if (!Number.isFinite(r)) return max;
  return Math.min(max, Math.max(min, r));
}

/**
 * Side of the square canvas for the width the widget gets: beside the legend while there is
 * room for both, else the full width (the legend then wraps below).
 *
 * @param {number} available width in pixels
 * @param {{legendWidth?: number, min?: number, max?: number}} [options]
 * @returns {number} whole pixels
 */
export function canvasSide(
  available,
  { legendWidth = SIZES.legendWidth, min = SIZES.minSide, max = SIZES.maxSide } = {},
) {
  const beside = available - legendWidth;
  const side = beside >= min ? beside : Math.min(available, max);
  return Math.floor(Math.max(120, Math.min(max, side)));
}

/**
 * The frame to show `elapsedMs` after playback started at `startFrame`, at `fps` frames per
 * second. Time-based rather than counting ticks, so that a slow tick skips frames instead of
 * slowing the animation down.
 *
 * @param {number} elapsedMs time since the start, ms
 * @param {number} fps frames per second (> 0)
 * @param {number} nFrames
 * @param {number} startFrame frame shown at elapsed 0
 * @param {boolean} loop wrap round to frame 0 after the last one; else stop at the last
 * @returns {number} frame index in [0, nFrames - 1]; 0 when there are no frames
 */
export function frameAtTime(elapsedMs, fps, nFrames, startFrame, loop) {
  if (nFrames <= 0) return 0;
  const steps = Math.max(0, Math.floor((Math.max(0, elapsedMs) * fps) / 1000 + 1e-9));
  const index = clampIndex(startFrame, nFrames) + steps;
  return loop ? index % nFrames : Math.min(index, nFrames - 1);
}

/**
 * A frame index forced into [0, nFrames - 1] (0 without frames); non-integers are floored.
 *
 * @param {number} index
 * @param {number} nFrames
 * @returns {number}
 */
export function clampIndex(index, nFrames) {
  if (nFrames <= 0 || !Number.isFinite(index)) return 0;
  return Math.min(nFrames - 1, Math.max(0, Math.floor(index)));
}

/**
 * Frames per second from a count of frames drawn over a time span.
 *
 * @param {number} frames
 * @param {number} elapsedMs
 * @returns {number} NaN when no time has passed
 */
export function frameRate(frames, elapsedMs) {
  return elapsedMs > 0 ? (frames * 1000) / elapsedMs : NaN;
}

/**
 * [r, g, b] (0–255) of a CSS colour in the forms the widget meets: "#rgb", "#rrggbb" (the
 * Python side's species colours) and "rgb(r, g, b)" / "rgba(r, g, b, a)" (what
 * getComputedStyle returns for a theme colour).
 *
 * @param {string} text
 * @returns {[number, number, number] | null} null when the text is none of these forms
 */
export function parseColor(text) {
  const s = String(text ?? "").trim().toLowerCase();
  let m = /^#([0-9a-f]{6})$/.exec(s);
  if (m) {
    const v = Number.parseInt(m[1], 16);
    return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
  }
  m = /^#([0-9a-f])([0-9a-f])([0-9a-f])$/.exec(s);
  if (m) return [m[1], m[2], m[3]].map((h) => Number.parseInt(h + h, 16));
  m = /^rgba?\(\s*([\d.]+)\s*,?\s*([\d.]+)\s*,?\s*([\d.]+)\s*(?:[,/]\s*[\d.]+%?\s*)?\)$/.exec(s);
  if (m) {
    const rgb = [m[1], m[2], m[3]].map(Number);
    if (rgb.every((c) => c >= 0 && c <= 255)) return rgb.map(Math.round);
  }
  return null;
}

/**
 * Relative luminance of an sRGB colour (WCAG 2), 0 for black to 1 for white.
 *
 * @param {[number, number, number]} rgb 0–255
 * @returns {number}
 */
export function relativeLuminance([r, g, b]) {
  const linear = (c) => {
    const v = c / 255;
    return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
}

/**
 * WCAG contrast ratio of two colours, from 1 (the same) to 21 (black on white).
 *
 * @param {[number, number, number]} a
 * @param {[number, number, number]} b
 * @returns {number}
 */
export function contrastRatio(a, b) {
  const [hi, lo] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/**
 * `color`, unless it would nearly vanish on `background` (the dark vacancy ring on a dark
 * theme): then `fallback`, the theme's text colour.
 *
 * @param {string} color
 * @param {string} background
 * @param {string} fallback
 * @param {number} [minRatio=1.5]
 * @returns {string}
 */
export function visibleColor(color, background, fallback, minRatio = 1.5) {
  const fg = parseColor(color);
  const bg = parseColor(background);
  if (fg === null) return fallback;
  if (bg === null) return color;
  return contrastRatio(fg, bg) >= minRatio ? color : fallback;
}

/**
 * Sites held by each species in one frame, for the legend.
 *
 * @param {ArrayLike<number>} frame species code per site
 * @param {number} nSpecies codes 0 … nSpecies - 1 are counted, others ignored
 * @param {Int32Array} [out] filled and returned, so that a caller can reuse one array
 * @returns {Int32Array}
 */
export function speciesCounts(frame, nSpecies, out = new Int32Array(nSpecies)) {
  out.fill(0);
  for (let i = 0; i < frame.length; i += 1) {
    const code = frame[i];
    if (code >= 0 && code < nSpecies) out[code] += 1;
  }
  return out;
}

/**
 * Counts of every frame at once: row f of the (nFrames, nSpecies) result is
 * speciesCounts(frame f). Computed when the data arrive, so that playback only looks them up.
 *
 * @param {ArrayLike<number>} frames flat (nFrames, nSites) species codes, C order
 * @param {number} nFrames
 * @param {number} nSites
 * @param {number} nSpecies
 * @returns {Int32Array} flat (nFrames, nSpecies)
 */
export function countTable(frames, nFrames, nSites, nSpecies) {
  const table = new Int32Array(nFrames * nSpecies);
  for (let f = 0; f < nFrames; f += 1) {
    const row = f * nSites;
    for (let i = 0; i < nSites; i += 1) {
      const code = frames[row + i];
      if (code >= 0 && code < nSpecies) table[f * nSpecies + code] += 1;
    }
  }
  return table;
}

/**
 * Order in which species are drawn: the occupied species by code, then the vacancies (code 0)
 * last, so that their rings stay visible where sites of two layers of the slab coincide.
 * With the package's species (vacancy, Gd, Y, Yb, Tm) the dopants also land above the host.
 *
 * @param {number} nSpecies
 * @returns {number[]}
 */
export function drawOrder(nSpecies) {
  const order = [];
  for (let code = 1; code < nSpecies; code += 1) order.push(code);
  if (nSpecies > 0) order.push(0);
  return order;
}

/**
 * Text under the slider for a frame: its label from Python, or "frame i of n".
 *
 * @param {string[]} labels
 * @param {number} index
 * @param {number} nFrames
 * @returns {string}
 */
export function frameLabel(labels, index, nFrames) {
  if (nFrames <= 0) return "no snapshots";
  const label = labels?.[index];
  return label ? String(label) : `frame ${index + 1} of ${nFrames}`;
}

/**
 * Check that the site coordinates and the frames describe the same sites.
 *
 * @param {number[]} xyShape shape of `xy`, [k, 2]
 * @param {number[]} framesShape shape of `frames`, [m, k]
 * @returns {{nSites: number, nFrames: number}}
 * @throws {Error} naming the mismatch
 */
export function checkShapes(xyShape, framesShape) {
  if (xyShape.length !== 2 || xyShape[1] !== 2) {
    throw new Error(`xy must have shape (k, 2), got (${xyShape.join(", ")})`);
  }
  if (framesShape.length !== 2) {
    throw new Error(`frames must have shape (m, k), got (${framesShape.join(", ")})`);
  }
  if (framesShape[0] > 0 && framesShape[1] !== xyShape[0]) {
    throw new Error(
      `frames has ${framesShape[1]} sites per frame but xy has ${xyShape[0]}; ` +
        "send both together (set_snapshots)",
    );
  }
  return { nSites: xyShape[0], nFrames: framesShape[0] };
}

/**
 * Length of a scale bar in nm: 1, 2 or 5 times a power of ten, at most `maxPx` long.
 *
 * @param {number} scale pixels per nm
 * @param {number} [maxPx=90]
 * @returns {number} nm
 */
export function scaleBarNm(scale, maxPx = 90) {
  const limit = maxPx / scale;
  const power = 10 ** Math.floor(Math.log10(limit));
  return [5, 2, 1].map((m) => m * power).find((v) => v <= limit + 1e-12) ?? power;
}
