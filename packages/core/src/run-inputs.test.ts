import { describe, expect, it } from 'vitest';
import { RunEventSchema, type RunEvent } from './events.js';
import { initialState, reduce } from './reduce.js';
import { runInputs } from './run-inputs.js';
import { RunSettingsSchema } from './run-settings.js';

const at = '2026-12-06T10:00:00.000Z';
const started = (extra: Record<string, unknown>): RunEvent => RunEventSchema.parse({
  type: 'run.started', at, runId: 'r1', goal: 'g', repo: '/r', base: 'HEAD', baseCommit: 'b0', branch: 'caid/r1/integration',
  worktreeRoot: '/w', workers: 2, verify: 'npm test', setup: 'npm ci', tasks: [{ id: 'a', prompt: 'p' }], ...extra,
});
const fold = (events: RunEvent[]) => events.reduce(reduce, initialState());

describe('runInputs: what a run drives with', () => {
  it('a log with no settings: run.started\'s own fields', () => {
    expect(runInputs(fold([started({})]))).toEqual({ workers: 2, verify: 'npm test', setup: 'npm ci', worktreeRoot: '/w' });
  });

  it('recorded settings, and a resume that changes them, are the source', () => {
    const settings = RunSettingsSchema.parse({ workers: 2, verify: 'npm test', setup: 'npm ci', worktreeRoot: '/w' });
    const s = fold([started({ settings }), RunEventSchema.parse({ type: 'run.resumed', at, changed: ['workers'], settings: { ...settings, workers: 5 } })]);
    expect(runInputs(s)).toEqual({ workers: 5, verify: 'npm test', setup: 'npm ci', worktreeRoot: '/w' });
  });

  it('settings recorded before they held the plan\'s verify and setup fold to what the run used', () => {
    // Such logs recorded the flag's verify (none) and the config's setup, beside the plan's at the top.
    const settings = RunSettingsSchema.parse({ workers: 2, setup: 'make deps', worktreeRoot: '/w' });
    const s = fold([started({ settings })]);
    expect(s.settings).toMatchObject({ verify: 'npm test', setup: 'npm ci' });
    expect(runInputs(s)).toEqual({ workers: 2, verify: 'npm test', setup: 'npm ci', worktreeRoot: '/w' });
  });
});
