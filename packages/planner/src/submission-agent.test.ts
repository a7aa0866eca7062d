import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlanSchema, initialState, reduce, type RunEvent } from '@caid/core';
import { openaiCompatible } from '@caid/llm';
import { startScriptedModel, type ScriptedModelServer } from '@caid/llm/testing';
import { checkPlan } from './check-plan.js';
import { checkRevision } from './revise-plan.js';
import { runSubmissionAgent, submissionTool } from './submission-agent.js';

const submit = { name: 'submit_plan', description: 'd', schema: PlanSchema, check: (raw: unknown) => checkPlan(raw, { maxTasks: 5 }) };

describe('submit_plan', () => {
  it('advertises the Plan schema as JSON Schema: goal, verify, setup and tasks with their fields', () => {
    const params = submissionTool(submit, () => {}, () => {}).spec.parameters as {
      required: string[]; properties: Record<string, { type?: string; items?: { properties: Record<string, unknown>; required: string[] } }>;
    };
    expect(Object.keys(params.properties).sort()).toEqual(['gate', 'goal', 'partialProgress', 'setup', 'tasks', 'verify', 'verifyReport']);
    expect(params.required.sort()).toEqual(['goal', 'tasks']);
    expect(params.properties.tasks!.type).toBe('array');
    expect(Object.keys(params.properties.tasks!.items!.properties).sort()).toEqual(['dependsOn', 'estimate', 'files', 'id', 'prompt', 'title', 'verify']);
    expect(params.properties.tasks!.items!.required.sort()).toEqual(['id', 'prompt']);
    // The model sees what an estimate is and that it must be positive.
    expect(params.properties.tasks!.items!.properties.estimate).toMatchObject({ type: 'number', exclusiveMinimum: 0, description: expect.stringMatching(/relative/) });
  });

  it('an estimate that is not a positive number comes back to the model with its path and the rule', () => {
    const out = checkPlan({ goal: 'g', tasks: [{ id: 'a', prompt: 'p', estimate: 2 }, { id: 'b', prompt: 'p', estimate: '2 hours' }, { id: 'c', prompt: 'p', estimate: 0 }] }, { maxTasks: 5 });
    expect(out.ok ? [] : out.errors).toEqual([
      expect.stringMatching(/^tasks\.1\.estimate: must be a positive number: the task's size relative to the others/),
      expect.stringMatching(/^tasks\.2\.estimate: must be a positive number/),
    ]);
  });

  it('lists every schema problem in one error', async () => {
    let errors: string[] = [];
    const out = await submissionTool(submit, () => {}, (e) => { errors = e; }).execute({ goal: '', tasks: [{ id: 'Bad', prompt: ' ' }] }, { signal: new AbortController().signal });
    expect(out).toMatch(/^Error: rejected/);
    expect(errors).toEqual(['goal: Too small: expected string to have >=1 characters', expect.stringMatching(/^tasks\.0\.id: task ids are kebab-case/), 'tasks.0.prompt: prompt must not be empty']);
  });
});

describe('runSubmissionAgent', () => {
  let server: ScriptedModelServer;
  beforeAll(async () => {
    server = await startScriptedModel({ rules: [
      { when: (c) => c.firstUser === 'prose', reply: { content: 'I would split this into three tasks.' } },
      { when: (c) => c.firstUser === 'json', reply: { content: '{"goal": "a plan in plain text"}' } },
    ] });
  });
  afterAll(() => server.close());

  const attempt = (content: string) => runSubmissionAgent({
    model: openaiCompatible({ baseURL: server.url, model: 'm' }), messages: [{ role: 'user', content }], tools: [], submit,
    maxRepairs: 1, maxSteps: 10, timeoutMs: 60_000,
  });

  it('prose without a tool call is bounded by the same repair budget', async () => {
    const out = await attempt('prose');
    expect(out.ok ? [] : out.errors).toEqual([expect.stringMatching(/stopped without a valid submit_plan call \(format-errors: 2 replies in a row/)]);
    expect(server.requests.filter((r) => r.conversation.firstUser === 'prose')).toHaveLength(2);
  });

  it('JSON sent as text is checked as a submission, and its problems are the errors reported', async () => {
    const out = await attempt('json');
    expect(out).toMatchObject({ ok: false, attempts: 2, errors: ['tasks: Invalid input: expected array, received undefined'] });
    const second = server.requests.filter((r) => r.conversation.firstUser === 'json')[1]!.conversation;
    expect(second.lastToolResult).toMatch(/^Error: rejected/);
  });
});

describe('checkRevision', () => {
  const t = (id: string, dependsOn: string[] = [], files: string[] = []) => ({ id, prompt: `p ${id}`, dependsOn, files });
  const at = '2026-11-22T10:00:00.000Z';
  const events: RunEvent[] = [
    { type: 'run.started', at, runId: 'r', goal: 'g', repo: '/r', base: 'HEAD', baseCommit: 'b', branch: 'x', worktreeRoot: '/w', workers: 2,
      tasks: [t('done', [], ['src/shared.js']), t('busy', [], ['src/busy.js']), t('broken', ['done']), t('later', ['broken'])] },
    { type: 'task.merged', at, taskId: 'done', commit: 'm', taskCommit: 'c' },
    { type: 'task.queued', at, taskId: 'busy', attempt: 1, round: { kind: 'start' } },
    { type: 'task.failed', at, taskId: 'broken', reason: 'r' },
  ];
  const state = events.reduce(reduce, initialState());

  it('accepts new tasks that build on merged and running work, and files merged work already touched', () => {
    expect(checkRevision({ tasks: [t('fix', ['done', 'busy'], ['src/shared.js']), t('later', ['fix'])] }, state, 5)).toEqual({ ok: true, value: [t('fix', ['done', 'busy'], ['src/shared.js']), t('later', ['fix'])] });
  });

  it('rejects reused ids, dependencies on the failed task, a running task\'s files, cycles and too many tasks', () => {
    const errors = (raw: unknown, max = 5) => { const r = checkRevision(raw, state, max); return r.ok ? [] : r.errors; };
    expect(errors({ tasks: [t('done'), t('x', ['broken'])] })).toEqual([
      'task id "done" is already used by a merged task; choose a new id',
      'task "x" depends on "broken", which failed; depend on the tasks that replace it, or on nothing',
    ]);
    expect(errors({ tasks: [t('x', [], ['src/busy.js'])] })).toEqual([expect.stringContaining('tasks "busy" and "x" can run at the same time but both touch src/busy.js')]);
    expect(errors({ tasks: [t('x', ['y']), t('y', ['x'])] })).toEqual(['dependency cycle: x -> y -> x']);
    expect(errors({ tasks: [t('x'), t('y')] }, 1)).toEqual(['the revision has 2 tasks; at most 1 are allowed']);
  });
});
