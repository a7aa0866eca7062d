import { describe, expect, it } from 'vitest';
import { ConfigSchema, RunSettingsSchema } from '@caid/core';
import { OPTION_GROUPS, type OptionSpec } from './option-groups.js';
import { resolveSettings } from './resolve-settings.js';

type Def = { type: string; innerType?: Schema; shape?: Record<string, Schema> };
type Schema = { _zod: { def: Def } };

/** Optional, default and prefault wrappers hide the schema that says what the value is. */
function unwrap(s: Schema): Schema {
  let at = s;
  while (at._zod.def.innerType && ['optional', 'default', 'prefault', 'nullable'].includes(at._zod.def.type)) at = at._zod.def.innerType;
  return at;
}

/** Every leaf setting path (objects are walked, unions and arrays are leaves). */
function leaves(s: Schema, prefix = ''): string[] {
  const inner = unwrap(s);
  if (inner._zod.def.type !== 'object') return [prefix];
  return Object.entries(inner._zod.def.shape!).flatMap(([k, v]) => leaves(v, prefix ? `${prefix}.${k}` : k));
}

/** The schema at a dotted path, or undefined when the path is not there. */
function at(s: Schema, dotted: string): Schema | undefined {
  let cur: Schema | undefined = s;
  for (const k of dotted.split('.')) {
    const inner: Schema | undefined = cur && unwrap(cur);
    cur = inner?._zod.def.type === 'object' ? inner._zod.def.shape![k] : undefined;
  }
  return cur;
}

const FLAG_SETTINGS = new Set((Object.values(OPTION_GROUPS).flat() as OptionSpec[]).flatMap((s) => (s.setting ? [s.setting] : [])));

/**
 * Settings with no config key, and why. The verify command belongs to the plan; a repository-wide
 * one in the config would silently replace every plan's (the flag is for one run).
 */
const NOT_IN_CONFIG: Record<string, string> = {
  verify: "the plan's verify; --verify overrides it for one run",
  partialProgress: "the plan's partialProgress: whether partial progress is the goal belongs to one plan",
};

/**
 * Settings no flag sets, and why: per-role model details and agent details are too many and too
 * structured for flags; the config file holds them.
 */
const NOT_A_FLAG = /^(models\.(planner|resolver)\.|models\.worker\.(maxRetries|timeouts|pricing|capabilities)|agent\.(passEnv|timeoutMin)|setup$|setupTimeoutMin$|include$|share$|partialProgress$)/;

describe('RunSettings coverage', () => {
  const all = leaves(RunSettingsSchema as unknown as Schema);

  it('walks the whole schema', () => {
    expect(all).toContain('mergeQueue.verifyConcurrency');
    expect(all).toContain('models.resolver.timeouts.requestMs');
    expect(all.length).toBeGreaterThan(40);
  });

  it('every setting has a config key, or says why not', () => {
    const missing = all.filter((p) => !at(ConfigSchema as unknown as Schema, p) && !NOT_IN_CONFIG[p]);
    expect(missing).toEqual([]);
  });

  it('every setting has a flag, or is one the config file alone holds', () => {
    const missing = all.filter((p) => !FLAG_SETTINGS.has(p) && !NOT_A_FLAG.test(p));
    expect(missing).toEqual([]);
  });

  it('every flag sets a real setting', () => {
    expect([...FLAG_SETTINGS].filter((p) => !all.includes(p))).toEqual([]);
  });

  it('a config file with every key resolves to exactly those settings', () => {
    const config = ConfigSchema.parse({
      workers: 5, gate: 'no-regression', verifyReport: 'junit.xml', queue: 'memory', sandbox: 'bwrap',
      limits: { maxSteps: 7, taskTimeoutMin: 3, taskTokens: 1000, conflictRounds: 0, verifyAttempts: 4, verifyTimeoutMin: 2 },
      budget: { usd: 1, tokens: 2000 },
      planner: { replan: true, maxReplans: 1, scaffold: true, review: true, maxTasks: 3, maxRepairs: 0 },
      mergeQueue: { batchMax: 2, verifyConcurrency: 3, conflictWarnings: 0, batchWait: 1.5 },
      setup: 'npm ci', setupTimeoutMin: 4, include: ['.env'], share: ['node_modules'],
    });
    const s = resolveSettings({}, config, {}, { repoDir: '/tmp' });
    expect(s).toMatchObject({
      workers: 5, gate: 'no-regression', verifyReport: 'junit.xml', sandbox: 'bwrap',
      limits: { maxSteps: 7, taskTimeoutMin: 3, taskTokens: 1000, conflictRounds: 0, verifyAttempts: 4, verifyTimeoutMin: 2 },
      budget: { usd: 1, tokens: 2000 },
      planner: { replan: true, maxReplans: 1, scaffold: true, review: true, maxTasks: 3, maxRepairs: 0 },
      mergeQueue: { batchMax: 2, verifyConcurrency: 3, conflictWarnings: 0, batchWait: 1.5 },
      setup: 'npm ci', setupTimeoutMin: 4, include: ['.env'], share: [{ path: 'node_modules', mode: 'symlink' }],
    });
    // A flag still wins over the file.
    expect(resolveSettings({ mergeQueue: { batchMax: 9 } }, config, {}, {}).mergeQueue).toEqual({ batchMax: 9, verifyConcurrency: 3, conflictWarnings: 0, batchWait: 1.5 });
  });

  it('a misspelt key in a new section is refused', () => {
    const r = ConfigSchema.safeParse({ mergeQueue: { batchMx: 2 } });
    expect(r.success).toBe(false);
  });
});
