import { describe, expect, it } from 'vitest';
import { decide } from './decide.js';
import { outcomeEvents } from './outcome-events.js';
import { initialState } from './reduce.js';

describe('outcomeEvents', () => {
  it('a merge that could not be published fails the task with the reason (no merge, no send-back)', () => {
    const { events, outcomes } = outcomeEvents('a', { kind: 'failed', reason: 'cannot move the integration branch caid/r/integration: it is checked out in /x' }, initialState());
    expect(events).toEqual([]);
    expect(outcomes).toEqual([{ kind: 'round-failed', taskId: 'a', reason: 'merge-failed: cannot move the integration branch caid/r/integration: it is checked out in /x' }]);
    expect(decide(initialState(), outcomes[0]!, { conflictRounds: 2, verifyAttempts: 2 })).toMatchObject({ kind: 'fail', taskId: 'a', reason: expect.stringMatching(/^merge-failed: cannot move/) });
  });
});
