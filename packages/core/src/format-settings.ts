import { DEFAULT_RUN_SETTINGS, type RunSettings } from './run-settings.js';

/** Dotted path → value for every leaf (arrays and unions are leaves). */
function flatten(o: unknown, prefix = ''): [string, unknown][] {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return [[prefix, o]];
  return Object.entries(o).flatMap(([k, v]) => (v === undefined ? [] : flatten(v, prefix ? `${prefix}.${k}` : k)));
}

/**
 * The run's recorded settings for `caid status --settings` and the dashboard, one `path value` line each, with the
 * ones that differ from the defaults marked `*` (what this run was started or resumed with).
 */
export function formatSettings(s: RunSettings | undefined): string {
  if (!s) return 'settings: not recorded (a run logged before caid recorded its settings)';
  const defaults = new Map(flatten(DEFAULT_RUN_SETTINGS).map(([k, v]) => [k, JSON.stringify(v)]));
  const rows = flatten(s).map(([k, v]) => [defaults.get(k) === JSON.stringify(v) ? ' ' : '*', k, typeof v === 'string' ? v : JSON.stringify(v)] as const);
  const w = Math.max(...rows.map((r) => r[1].length));
  return ['settings (* = not the default):', ...rows.map(([m, k, v]) => `${m} ${k.padEnd(w)}  ${v}`)].join('\n');
}
