import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedModel, when, type ScriptedModelServer } from '@caid/llm/testing';
import { call, git, makeRepo, removeTemps, runCli, taskOf, tempDir, writesFiles } from './cli-harness.js';

let model: ScriptedModelServer;
beforeAll(async () => {
  model = await startScriptedModel({
    rules: [
      {
        name: 'replanner',
        when: (c) => c.tools.includes('submit_revision'),
        reply: (c) => (c.stepInRound === 0 ? call('list_files', {}) : call('submit_revision', { tasks: [{ id: 'fixed', prompt: 'write fixed', dependsOn: ['first'] }] })),
      },
      { when: (c) => taskOf(c) === 'broken', reply: call('finish', { summary: 'gave up' }) },
      { when: when.lastUserIncludes('merge conflict'), reply: writesFiles({ 'shared.txt': 'line from left\nline from right\n' }, 'kept both lines') },
      { when: (c) => taskOf(c) === 'left', reply: writesFiles({ 'shared.txt': 'line from left\n' }) },
      { when: (c) => taskOf(c) === 'right', reply: (c) => ({ ...writesFiles({ 'shared.txt': 'line from right\n' })(c), delayMs: 150 }) },
      {
        when: (c) => taskOf(c) === 'last',
        reply: (c) => [call('run', { command: 'ls -a ..; git worktree list --porcelain' }), call('write_file', { path: 'last.txt', content: 'last\n' }), call('finish', { summary: 'ok' })][Math.min(c.stepInRound, 2)]!,
      },
      { when: (c) => Boolean(taskOf(c)), reply: (c) => writesFiles({ [`${taskOf(c)}.txt`]: `${taskOf(c)}\n` })(c) },
    ],
  });
});
afterAll(async () => {
  await model.close();
  removeTemps();
});

describe('a run without verify', () => {
  it('merges with no integration worktree, and each merge commit has the integration head and the task commit as parents', async () => {
    const dir = tempDir();
    const repo = makeRepo(path.join(dir, 'repo'), { 'README.md': '# r\n', 'shared.txt': 'original\n' });
    writeFileSync(path.join(dir, 'plan.yaml'), `goal: merges without checks
tasks:
  - { id: first, prompt: write first }
  - { id: left, prompt: write left }
  - { id: right, prompt: write right }
  - { id: last, prompt: look around, dependsOn: [first, left, right] }
`);
    const worktreeRoot = path.join(dir, 'wt');
    const runId = 'no-verify-1';
    // Watch for the integration worktree (its folder or git's admin entry) for the whole run.
    const seen = new Set<string>();
    const watch = setInterval(() => {
      if (existsSync(path.join(worktreeRoot, runId, '_integration'))) seen.add('folder');
      const admin = path.join(repo, '.git', 'worktrees');
      if (existsSync(admin) && readdirSync(admin).some((n) => n.startsWith('_integration'))) seen.add('git admin entry');
    }, 5);
    // --sandbox none: the agent's `run` lists the host's worktree folder and git admin entries; bwrap's private /tmp (where the test's repo lives) would hide them.
    const r = await runCli(['run', '--plan', path.join(dir, 'plan.yaml'), '--repo', repo, '--model', 'm', '--base-url', model.url,
      '--worktree-root', worktreeRoot, '--run-id', runId, '--workers', '3', '--sandbox', 'none', '--json']).finally(() => clearInterval(watch));
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.tasks.find((t: { id: string }) => t.id === 'right').conflicts).toBe(1);
    expect([...seen]).toEqual([]);
    // what the last task's agent saw next to its worktree, after three merges: their worktrees were
    // parked as spares (detached), and `last` took one of them over
    const transcript = readFileSync(path.join(repo, `.caid/runs/${runId}/tasks/last.jsonl`), 'utf8');
    expect(transcript).toMatch(/exit code 0\\n[^"]*\.scratch\\n\.spare\\nlast\\n/);
    const listed = JSON.parse(transcript.split('\n').find((l) => l.includes('"tool_call_id"') && l.includes('worktree /'))!).message.content as string;
    const spares = listed.split('\n\n').filter((w) => w.includes('/.spare/'));
    expect(spares).toHaveLength(2);
    for (const w of spares) expect(w).toMatch(/\ndetached$/);
    expect(listed).not.toMatch(/no-verify-1\/(first|left|right)\n/);
    expect(transcript).not.toContain('_integration');

    const events = readFileSync(path.join(repo, `.caid/runs/${runId}/events.jsonl`), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    let head = events[0].baseCommit as string;
    const merged = events.filter((e) => e.type === 'task.merged');
    expect(merged.map((e) => e.taskId).sort()).toEqual(['first', 'last', 'left', 'right']);
    for (const e of merged) {
      expect(git(repo, 'log', '-1', '--format=%P|%s|%an', e.commit)).toBe(`${head} ${e.taskCommit}|caid: merge task ${e.taskId}|caid`);
      head = e.commit;
    }
    expect(summary.commit).toBe(head);
    expect(git(repo, 'rev-parse', summary.branch)).toBe(head);
    expect(git(repo, 'show', `${head}:shared.txt`)).toBe('line from left\nline from right');
    expect(git(repo, 'ls-tree', '--name-only', head).split('\n').sort()).toEqual(['README.md', 'first.txt', 'last.txt', 'shared.txt']);
    expect(git(repo, 'status', '--porcelain')).toBe('');
    expect(git(repo, 'worktree', 'list', '--porcelain').match(/^worktree /gm)).toHaveLength(1);
  });

  it('a replan checks the integration worktree out, at the integration head, for the planner to read', async () => {
    const dir = tempDir();
    const repo = makeRepo(path.join(dir, 'repo'), { 'README.md': '# r\n' });
    writeFileSync(path.join(dir, 'plan.yaml'), 'goal: g\ntasks:\n  - { id: first, prompt: write first }\n  - { id: broken, prompt: fails, dependsOn: [first] }\n');
    const r = await runCli(['run', '--plan', path.join(dir, 'plan.yaml'), '--repo', repo, '--model', 'm', '--base-url', model.url,
      '--worktree-root', path.join(dir, 'wt'), '--replan', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(Object.fromEntries(summary.tasks.map((t: { id: string; status: string }) => [t.id, t.status]))).toEqual({ first: 'merged', broken: 'failed', fixed: 'merged' });
    // the planner listed the integration worktree, which held the merged `first`
    const replan = model.requests.filter((q) => q.rule === 'replanner').at(-1)!.conversation;
    expect(replan.lastToolResult).toContain('first.txt');
    expect(git(repo, 'ls-tree', '--name-only', summary.branch).split('\n').sort()).toEqual(['README.md', 'first.txt', 'fixed.txt']);
    // removed at the end like a merged task's; the failed task's stays for inspection
    const left = git(repo, 'worktree', 'list', '--porcelain').split('\n').filter((l) => l.startsWith('worktree ')).map((l) => path.basename(l));
    expect(left).toEqual(['repo', 'broken']);
  });
});
