import { describe, expect, it } from 'vitest';
import { ConfigSchema } from './config.js';
import { PlanSchema } from './plan.js';
import { closestKey, unknownKeyProblems } from './unknown-keys.js';

describe('unknownKeyProblems', () => {
  it('names a misspelt plan key with the closest known one, at any depth', () => {
    const raw = { goal: 'g', verfy: 'npm test', tasks: [{ id: 'a', prompt: 'p' }, { id: 'b', prompt: 'p', depends_on: ['a'] }] };
    expect(unknownKeyProblems(raw, PlanSchema)).toEqual([
      'verfy: unknown key "verfy": did you mean "verify"?',
      'tasks.1.depends_on: unknown key "depends_on": did you mean "dependsOn"?',
    ]);
  });

  it('lists the known keys when nothing is close, and walks config sections', () => {
    expect(unknownKeyProblems({ limits: { maxStep: 3 }, zzzzzzzz: 1 }, ConfigSchema)).toEqual([
      'limits.maxStep: unknown key "maxStep": did you mean "maxSteps"?',
      expect.stringMatching(/^zzzzzzzz: unknown key "zzzzzzzz"; known keys: models, agent, sandbox/),
    ]);
    expect(unknownKeyProblems({ goal: 'g', tasks: [{ id: 'a', prompt: 'p' }] }, PlanSchema)).toEqual([]);
  });

  it('closestKey ignores case, dashes and underscores', () => {
    expect(closestKey('setup_timeout_min', ['setupTimeoutMin', 'setup'])).toBe('setupTimeoutMin');
    expect(closestKey('qqq', ['verify'])).toBeUndefined();
  });
});
