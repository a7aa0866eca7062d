import { z } from 'zod';

/** Edit distance, for "did you mean" (keys are short: the quadratic table is fine). */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length]![b.length]!;
}

/** The known key closest to `key`, if close enough to be a typo (or a different spelling: depends_on → dependsOn). */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  const norm = (k: string) => k.toLowerCase().replace(/[-_]/g, '');
  let best: { k: string; d: number } | undefined;
  for (const k of known) {
    const d = norm(k) === norm(key) ? 0 : distance(key.toLowerCase(), k.toLowerCase());
    if (!best || d < best.d) best = { k, d };
  }
  return best && best.d <= Math.max(2, Math.floor(key.length / 3)) ? best.k : undefined;
}

/** `"verfy": did you mean "verify"?`, or the known keys when nothing is close. */
export function unknownKeyMessage(key: string, known: readonly string[]): string {
  const close = closestKey(key, known);
  return close ? `unknown key "${key}": did you mean "${close}"?` : `unknown key "${key}"; known keys: ${known.join(', ')}`;
}

/**
 * Every key of `raw` that `schema` does not know, walking nested objects and arrays alongside it,
 * as `path: unknown key "x": did you mean "y"?` lines. zod drops unknown keys of a non-strict
 * object in silence; a typo in a plan (`verfy:`) must not switch the gate off.
 */
export function unknownKeyProblems(raw: unknown, schema: z.ZodType, path: string[] = []): string[] {
  if (Array.isArray(raw)) {
    const item = unwrapTo(schema, z.ZodArray)?.element as z.ZodType | undefined;
    return item ? raw.flatMap((x, i) => unknownKeyProblems(x, item, [...path, String(i)])) : [];
  }
  if (typeof raw !== 'object' || raw === null) return [];
  const obj = unwrapTo(schema, z.ZodObject);
  if (!obj) return [];
  const shape = obj.shape as Record<string, z.ZodType>;
  const known = Object.keys(shape);
  return Object.entries(raw).flatMap(([k, v]) => (k in shape
    ? unknownKeyProblems(v, shape[k]!, [...path, k])
    : [`${[...path, k].join('.')}: ${unknownKeyMessage(k, known)}`]));
}

/** Steps through optional, default, nullable and pipe wrappers to a schema of `kind`. */
function unwrapTo<T extends abstract new (...a: never[]) => unknown>(schema: z.ZodType, kind: T): InstanceType<T> | undefined {
  let s: z.ZodType | undefined = schema;
  for (let i = 0; i < 6 && s && !(s instanceof kind); i++) {
    const def: { innerType?: z.ZodType; in?: z.ZodType } = (s as unknown as { def: { innerType?: z.ZodType; in?: z.ZodType } }).def;
    s = def.innerType ?? def.in;
  }
  return s instanceof kind ? (s as InstanceType<T>) : undefined;
}
