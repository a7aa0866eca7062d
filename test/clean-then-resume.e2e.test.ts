import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { git, makeRepo, runCli, taskOf, tempDir, writesFiles } from './cli-harness.js';
import { scriptedModelForFile } from './scripted-model-for-file.js';

// A new user (issue 18, session "newuser2") presses Ctrl-C, reads "remove them when done: caid
// clean <run> --yes", cleans, and later changes their mind: `caid resume <run>`. Clean had deleted
// the integration branch (its head, the base, is on main, so nothing was lost), and the resume
// failed every task with "integration branch … is missing": exit 1, the run recorded as failed.
let hold = true;
const model = scriptedModelForFile([
  // The first round waits (the test interrupts it); after that the agent writes its file at once.
  { when: (c) => Boolean(taskOf(c)), reply: (c) => ({ ...writesFiles({ [`${taskOf(c)}.txt`]: `${taskOf(c)} by caid\n` })(c), ...(hold ? { delayMs: 20_000 } : {}) }) },
]);

const events = (repo: string, runId: string) => readFileSync(path.join(repo, '.caid', 'runs', runId, 'events.jsonl'), 'utf8')
  .split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string });

describe('caid clean of a cancelled run, then caid resume', () => {
  it('resume recreates the integration branch from the log and finishes the run', async () => {
    const dir = tempDir();
    const repo = makeRepo(path.join(dir, 'repo'), { 'README.md': '# r\n' });
    const plan = path.join(dir, 'plan.yaml');
    writeFileSync(plan, 'goal: g\ntasks:\n  - { id: notes, title: Notes, prompt: write notes.txt }\n');
    let pid = 0;
    const first = runCli(['run', '--plan', plan, '--repo', repo, ...model.flags(), '--worktree-root', path.join(dir, 'wt'), '--json'], { onSpawn: (p) => { pid = p; } });
    const runs = path.join(repo, '.caid', 'runs');
    const started = () => existsSync(runs) && readdirSync(runs).some((id) => existsSync(path.join(runs, id, 'events.jsonl')) && events(repo, id).some((e) => e.type === 'task.started'));
    for (let i = 0; i < 1200 && !started(); i++) await new Promise((r) => setTimeout(r, 50));
    process.kill(pid, 'SIGINT');
    const r1 = await first;
    expect(r1.code, r1.stderr).toBe(130);
    const { runId, branch } = JSON.parse(r1.stdout) as { runId: string; branch: string };
    expect(r1.stderr).toContain(`remove them when done: caid clean ${runId}`);

    const clean = await runCli(['clean', runId, '--repo', repo, '--yes']);
    expect(clean.code, clean.stderr).toBe(0);
    expect(clean.stdout).toContain(`removed  branch ${branch}`);

    hold = false;
    const r2 = await runCli(['resume', runId, '--repo', repo, '--json']);
    expect(r2.code, r2.stderr).toBe(0);
    expect(JSON.parse(r2.stdout).tasks[0]).toMatchObject({ id: 'notes', status: 'merged' });
    expect(git(repo, 'show', `${branch}:notes.txt`)).toBe('notes by caid');
  }, 120_000);
});
