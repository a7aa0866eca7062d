import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { git, makeRepo, runCli, taskOf, tempDir, writesFiles } from './cli-harness.js';
import { scriptedModelForFile } from './scripted-model-for-file.js';

// Ctrl-C while a finished task waits in the merge queue's batch delay (another task still runs):
// the interrupt leaves that task to the resume (core step drops finished rounds outside a batch).
// The same drop ends a run whose gate fails while a finished task waits for it, which before hung
// until Node exited 13 with no run.finished (gate-opens-beside-tasks.e2e).
const hold = path.join(tempDir('caid-hold-'), 'hold');
const model = scriptedModelForFile([
  // slow's model answers in a minute while `hold` exists (the first run), at once after (the resume).
  { when: (c) => taskOf(c) === 'slow' && existsSync(hold), reply: (c) => ({ ...writesFiles({ 'slow.txt': 'slow\n' })(c), delayMs: 60_000 }) },
  { when: (c) => Boolean(taskOf(c)), reply: (c) => writesFiles({ [`${taskOf(c)}.txt`]: `${taskOf(c)}\n` })(c) },
]);

const events = (repo: string, runId: string) => (existsSync(path.join(repo, '.caid', 'runs', runId, 'events.jsonl')) ? readFileSync(path.join(repo, '.caid', 'runs', runId, 'events.jsonl'), 'utf8') : '')
  .split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; taskId?: string; status?: string });

describe('Ctrl-C during the batch delay', () => {
  it('records the run as cancelled (exit 130); the resume merges the task that waited', async () => {
    const dir = tempDir();
    const repo = makeRepo(path.join(dir, 'repo'), { 'README.md': '# r\n' });
    const plan = path.join(dir, 'plan.yaml');
    writeFileSync(plan, 'goal: g\nverify: \'true\'\ntasks:\n  - { id: quick, prompt: p }\n  - { id: slow, prompt: p }\n');
    writeFileSync(hold, '');
    let pid = 0;
    const first = runCli(['run', '--plan', plan, '--repo', repo, ...model.flags(), '--worktree-root', path.join(dir, 'wt'), '--sandbox', 'none', '--batch-wait', '600000', '--json'], { onSpawn: (p) => { pid = p; } });
    const runs = path.join(repo, '.caid', 'runs');
    const waiting = () => existsSync(runs) && readdirSync(runs).some((id) => events(repo, id).some((e) => e.type === 'task.finished' && e.taskId === 'quick'));
    for (let i = 0; i < 1200 && !waiting(); i++) await new Promise((r) => setTimeout(r, 50));
    process.kill(pid, 'SIGINT');
    const r1 = await first;
    expect(r1.code, r1.stderr).toBe(130);
    const runId = readdirSync(runs)[0]!;
    expect(events(repo, runId).at(-1)).toMatchObject({ type: 'run.finished', status: 'cancelled' });
    expect(events(repo, runId).some((e) => e.type === 'task.merged')).toBe(false);

    rmSync(hold);
    const r2 = await runCli(['resume', runId, '--repo', repo, '--json']);
    expect(r2.code, r2.stderr).toBe(0);
    expect(events(repo, runId).filter((e) => e.type === 'task.merged').map((e) => e.taskId).sort()).toEqual(['quick', 'slow']);
    expect(git(repo, 'show', `caid/${runId}/integration:quick.txt`)).toBe('quick');
  }, 120_000);
});
