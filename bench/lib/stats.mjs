// Summaries of repeated measurements: every figure in RESULTS.md is min / median / max.

/** { n, min, median, max } of a list of numbers. */
export function stats(xs) {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b); // a lost sample must not scramble the order
  if (!s.length) return { n: 0, min: NaN, median: NaN, max: NaN };
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { n: s.length, min: s[0], median, max: s.at(-1) };
}

/** "min / median / max" with `digits` decimals and an optional unit. */
export function triple(xs, digits = 2, unit = '') {
  const { min, median, max } = stats(xs);
  const f = (x) => `${x.toFixed(digits)}${unit}`;
  return `${f(min)} / ${f(median)} / ${f(max)}`;
}

/** "met" or "**missed**" for a median against a target. */
export function verdict(ok) {
  return ok ? 'met' : '**missed**';
}
