/**
 * Axis ticks shared by the custom widgets (pure functions, tested with node --test).
 */

const EPS = 1e-9;

/**
 * "Nice" tick values (1, 2 or 5 times a power of ten apart) covering [lo, hi].
 *
 * @param {number} lo
 * @param {number} hi
 * @param {number} [approxCount=8] wanted number of intervals
 * @returns {number[]}
 */
export function niceTicks(lo, hi, approxCount = 8) {
  if (!(hi > lo) || approxCount < 1) return [];
  const raw = (hi - lo) / approxCount;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw - EPS);
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + EPS));
  const ticks = [];
  for (let i = Math.ceil(lo / step - EPS); i * step <= hi + EPS; i += 1) {
    const factor = 10 ** decimals;
    ticks.push(Math.round(i * step * factor) / factor + 0);
  }
  return ticks;
}
