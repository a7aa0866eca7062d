import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startScriptedModel, type Conversation, type ScriptedModelServer } from '@caid/llm/testing';
import { git, makeRepo, removeTemps, runCli, taskOf, tempDir, writesFiles } from './cli-harness.js';
import { REDIS_URL, redisContents, runEvents, startCli, startWorkers, stop, waitForEvent, type Proc } from './distributed-harness.js';
import { dropPrefix, testPrefix } from '../packages/queue-bullmq/src/redis-test-prefix.fixture.js';

const prefixes: string[] = [];
const procs: Proc[] = [];
const models: ScriptedModelServer[] = [];
afterAll(async () => {
  for (const p of procs) await stop(p, 'SIGKILL');
  for (const m of models) await m.close();
  for (const p of prefixes) await dropPrefix(p);
  removeTemps();
});

/** A repository, a plan file and a scripted model where each task writes `src/<id>.js`; `slow` tasks think first. */
async function setup(tasks: { id: string; dependsOn?: string[] }[], slow: Record<string, number>) {
  const dir = tempDir();
  const repo = makeRepo(path.join(dir, 'repo'), { 'README.md': '# r\n' });
  const planFile = path.join(dir, 'plan.json');
  writeFileSync(planFile, JSON.stringify({ goal: 'g', tasks: tasks.map((t) => ({ ...t, prompt: `Create src/${t.id}.js.`, files: [`src/${t.id}.js`] })) }));
  const model = await startScriptedModel({
    rules: [{
      name: 'write',
      when: (c: Conversation) => Boolean(taskOf(c)),
      reply: (c: Conversation) => ({ ...writesFiles({ [`src/${taskOf(c)}.js`]: `export const v = '${taskOf(c)}';\n` })(c), delayMs: c.stepInRound === 0 ? slow[taskOf(c)!] ?? 0 : 0 }),
    }],
  });
  models.push(model);
  const prefix = testPrefix();
  prefixes.push(prefix);
  const queue = `${REDIS_URL}?prefix=${prefix}`;
  /** One serving worker. */
  const worker = async () => (await startWorkers(1, { queue, dir, modelUrl: model.url, args: ['--stall-timeout', '5'], into: procs }))[0]!;
  return { dir, repo, planFile, model, prefix, queue, worker };
}
const firstRounds = (model: ScriptedModelServer, id: string) => model.requests.filter((r) => taskOf(r.conversation) === id && r.conversation.assistantTurns === 0).length;

describe('distributed faults', () => {
  it('a killed coordinator is resumed: running jobs are re-attached, finished tasks are not rerun, task branches travel through a separate remote', async () => {
    const s = await setup([{ id: 'a' }, { id: 'b', dependsOn: ['a'] }, { id: 'c', dependsOn: ['b'] }], { b: 1500 });
    const remote = path.join(s.dir, 'remote.git');
    git(s.dir, 'clone', '-q', '--bare', s.repo, remote);
    await s.worker();
    const run = startCli(['run', '--plan', s.planFile, '--repo', s.repo, '--queue', s.queue, '--remote', remote, '--json']);
    procs.push(run);
    await waitForEvent(s.repo, (e) => e.type === 'task.queued' && e.taskId === 'b');
    await stop(run, 'SIGKILL');
    const runId = runEvents(s.repo)[0]!.runId as string;
    expect(runEvents(s.repo).some((e) => e.type === 'run.finished')).toBe(false);

    const resumed = await runCli(['resume', runId, '--repo', s.repo, '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const summary = JSON.parse(resumed.stdout);
    expect(summary.status).toBe('succeeded');
    const events = runEvents(s.repo, runId);
    for (const id of ['a', 'b', 'c']) {
      expect(events.filter((e) => e.type === 'task.merged' && e.taskId === id), id).toHaveLength(1);
      expect(events.filter((e) => e.type === 'task.queued' && e.taskId === id), id).toHaveLength(1);
      expect(firstRounds(s.model, id), id).toBe(1);
    }
    // the remote carries the integration branch (for workers) and the task branches (for the coordinator)
    expect(git(remote, 'rev-parse', `caid/${runId}/integration`)).toBe(summary.commit);
    expect(git(remote, 'rev-parse', `caid/${runId}/tasks/c`)).toBe(git(s.repo, 'rev-parse', `caid/${runId}/tasks/c`));
    expect(git(s.repo, 'show', `${summary.branch}:src/c.js`)).toContain("'c'");
  });

  it('cancelling a run cancels its jobs: the running one stops without retry, the waiting one is removed', async () => {
    const s = await setup([{ id: 'x' }, { id: 'y' }], { x: 300_000, y: 300_000 });
    const w = await s.worker();
    const run = startCli(['run', '--plan', s.planFile, '--repo', s.repo, '--queue', s.queue, '--json']);
    procs.push(run);
    const started = await waitForEvent(s.repo, (e) => e.type === 'task.started');
    while (s.model.requests.length === 0) await new Promise((r) => setTimeout(r, 20));
    run.child.kill('SIGINT');
    const result = await run.exited;
    expect(result.code, result.stderr).toBe(130);
    expect(JSON.parse(result.stdout).status).toBe('cancelled');
    const other = started.taskId === 'x' ? 'y' : 'x';
    await w.waitFor(new RegExp(`"taskId":"${started.taskId}"[^\\n]*"msg":"task f[^\\n]*cancelled|"taskId":"${started.taskId}"[^\\n]*cancelled[^\\n]*"msg":"task f`));
    const stored = await redisContents(REDIS_URL, s.prefix);
    const id = runEvents(s.repo)[0]!.runId as string;
    expect(stored.find((k) => k.key.endsWith(`${id}__${other}__1`))).toBeUndefined();
    const job = stored.find((k) => k.key.endsWith(`${id}__${started.taskId}__1`))!;
    expect(JSON.parse(job.text).finishedOn).toBeTruthy();
    for (const list of stored.filter((k) => /:(wait|active|prioritized|delayed)$/.test(k.key))) expect(list.text).not.toContain(`${id}__`);
    expect(w.output().match(new RegExp(`"taskId":"${started.taskId}"[^\\n]*"msg":"job received`, 'g'))).toHaveLength(1);
  });
});
