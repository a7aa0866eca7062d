import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeRepo, runCli, taskOf, tempDir, writesFiles } from './cli-harness.js';
import { scriptedModelForFile } from './scripted-model-for-file.js';

// A new user (issue 18, session "newuser2") presses Ctrl-C while caid runs the tests on the base,
// before any task. The cut-short verify was judged as a failing base: the log recorded the gate
// "all (verify fails on the base (exit ?) …)", status showed it, and every resume kept that mode.
const model = scriptedModelForFile([
  { when: (c) => Boolean(taskOf(c)), reply: (c) => writesFiles({ [`${taskOf(c)}.txt`]: `${taskOf(c)}\n` })(c) },
]);

const events = (repo: string, runId: string) => readFileSync(path.join(repo, '.caid', 'runs', runId, 'events.jsonl'), 'utf8')
  .split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; mode?: string; reason?: string });

describe('Ctrl-C during the verify on the base', () => {
  it('records no gate from the cut-short verify; the resume measures the base and picks its own', async () => {
    const dir = tempDir();
    const repo = makeRepo(path.join(dir, 'repo'), { 'README.md': '# r\n' });
    const hold = path.join(dir, 'hold');
    const started = path.join(dir, 'started');
    writeFileSync(hold, '');
    const plan = path.join(dir, 'plan.yaml');
    // While `hold` exists the verify says it started and waits; it passes otherwise.
    writeFileSync(plan, `goal: g\nverify: 'if [ -e ${hold} ]; then touch ${started}; sleep 60; fi; true'\ntasks:\n  - { id: notes, title: Notes, prompt: write notes }\n`);
    let pid = 0;
    const first = runCli(['run', '--plan', plan, '--repo', repo, ...model.flags(), '--worktree-root', path.join(dir, 'wt'), '--sandbox', 'none', '--json'], { onSpawn: (p) => { pid = p; } });
    for (let i = 0; i < 1200 && !existsSync(started); i++) await new Promise((r) => setTimeout(r, 50));
    process.kill(pid, 'SIGINT');
    const r1 = await first;
    expect(r1.code, r1.stderr).toBe(130);
    const runId = readdirSync(path.join(repo, '.caid', 'runs'))[0]!;
    expect(events(repo, runId).filter((e) => e.type === 'run.gate')).toEqual([]);
    expect(r1.stderr).not.toContain('verify fails on the base');

    rmSync(hold);
    const r2 = await runCli(['resume', runId, '--repo', repo, '--json']);
    expect(r2.code, r2.stderr).toBe(0);
    expect(events(repo, runId).filter((e) => e.type === 'run.gate')).toMatchObject([{ mode: 'all', reason: 'verify passes on the base, so every merge must keep it passing' }]);
  }, 120_000);
});
