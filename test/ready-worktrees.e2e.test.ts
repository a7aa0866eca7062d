import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedModel, type ScriptedModelServer } from '@caid/llm/testing';
import { call, git, makeRepo, removeTemps, runCli, taskOf, tempDir } from './cli-harness.js';

// A "test suite" that starts an HTTP server on the task's port, holds it long enough for the
// other task's server to be up too, and records what it saw.
const SERVE = `const http = require('node:http');
const port = Number(process.env.CAID_PORT_BASE);
const srv = http.createServer((q, r) => r.end('ok'));
srv.on('error', (e) => { console.error('SERVER ERROR', e.code); process.exit(3); });
srv.listen(port, '127.0.0.1', () => {
  const started = Date.now();
  setTimeout(() => srv.close(() => {
    require('node:fs').writeFileSync('served.json', JSON.stringify({ port, started, ended: Date.now(), compose: process.env.COMPOSE_PROJECT_NAME, tmp: process.env.TMPDIR }));
    console.log('served on', port);
  }), 1500);
});
`;

let model: ScriptedModelServer;
beforeAll(async () => {
  model = await startScriptedModel({
    rules: [
      { when: (c) => /^serve-/.test(taskOf(c) ?? ''), reply: (c) => [call('run', { command: 'node serve.js' }), call('finish', { summary: 'served' })][Math.min(c.stepInRound, 1)]! },
      { when: (c) => taskOf(c) === 'reads-env', reply: (c) => [call('run', { command: 'cat .env; node -e "console.log(require(\'leftpad\')(\'x\', 3))"' }), call('write_file', { path: 'ok.txt', content: 'ok\n' }), call('finish', { summary: 'ok' })][Math.min(c.stepInRound, 2)]! },
    ],
  });
});
afterAll(async () => {
  await model.close();
  removeTemps();
});

const transcript = (repo: string, runId: string, task: string) => readFileSync(path.join(repo, `.caid/runs/${runId}/tasks/${task}.jsonl`), 'utf8');

describe('worktrees that are ready to work', () => {
  it('two tasks start servers on $CAID_PORT_BASE at the same time without colliding, each in its own namespace', async () => {
    const dir = tempDir();
    const repo = makeRepo(path.join(dir, 'repo'), { 'serve.js': SERVE, '.gitignore': 'served.json\n' });
    writeFileSync(path.join(dir, 'plan.yaml'), 'goal: g\ntasks:\n  - { id: serve-a, prompt: run the server tests }\n  - { id: serve-b, prompt: run the server tests }\n');
    const r = await runCli(['run', '--plan', path.join(dir, 'plan.yaml'), '--repo', repo, '--model', 'm', '--base-url', model.url, '--worktree-root', path.join(dir, 'wt'), '--workers', '2', '--json']);
    // the agents changed nothing tracked: both fail with no-changes, which is fine here; what matters is what they saw
    expect(r.stderr).not.toMatch(/SERVER ERROR/);
    const runId = JSON.parse(r.stdout).runId;
    const seen = ['serve-a', 'serve-b'].map((t) => JSON.parse(readFileSync(path.join(dir, 'wt', runId, t, 'served.json'), 'utf8')));
    expect(seen[0].port).not.toBe(seen[1].port);
    expect(Math.abs(seen[0].port - seen[1].port)).toBeGreaterThanOrEqual(10);
    // the two servers were up at the same time
    expect(seen[0].started < seen[1].ended && seen[1].started < seen[0].ended).toBe(true);
    expect(seen.map((s) => s.compose)).toEqual([`caid-${runId}-serve-a`, `caid-${runId}-serve-b`]);
    expect(seen[0].tmp).toBe(path.join(dir, 'wt', runId, '.scratch', 'serve-a', 'tmp'));
    for (const t of ['serve-a', 'serve-b']) expect(transcript(repo, runId, t)).toMatch(/exit code 0\\nserved on \d+/);
  });

  it('.worktreeinclude copies an ignored .env, and a shared node_modules works without an install, in tasks and in verify', async () => {
    const dir = tempDir();
    const repo = makeRepo(path.join(dir, 'repo'), { '.gitignore': '.env\nnode_modules/\n', '.worktreeinclude': '.env\n' });
    writeFileSync(path.join(repo, '.env'), 'LOCAL_SETTING=from-the-main-checkout\n');
    mkdirSync(path.join(repo, 'node_modules', 'leftpad'), { recursive: true });
    writeFileSync(path.join(repo, 'node_modules', 'leftpad', 'index.js'), "module.exports = (s, n) => s.padStart(n, '*');\n");
    writeFileSync(path.join(repo, 'caid.config.yaml'), 'share:\n  - node_modules\n');
    git(repo, 'add', 'caid.config.yaml');
    git(repo, '-c', 'user.name=u', '-c', 'user.email=u@x', 'commit', '-qm', 'config');
    writeFileSync(path.join(dir, 'plan.yaml'), `goal: g\nverify: node -e "require('leftpad')" && test -f .env\ntasks:\n  - { id: reads-env, prompt: p }\n`);
    const r = await runCli(['run', '--plan', path.join(dir, 'plan.yaml'), '--repo', repo, '--model', 'm', '--base-url', model.url, '--worktree-root', path.join(dir, 'wt'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout);
    const t = transcript(repo, s.runId, 'reads-env');
    expect(t).toContain('LOCAL_SETTING=from-the-main-checkout');
    expect(t).toContain('**x');
    expect(t).toContain('shared node_modules by symlink');
    // neither the copied .env nor the node_modules link was committed
    expect(git(repo, 'ls-tree', '-r', '--name-only', s.branch).split('\n').sort()).toEqual(['.gitignore', '.worktreeinclude', 'caid.config.yaml', 'ok.txt']);
    const status = await runCli(['status', '--repo', repo]);
    // Nothing kept after a green run (the merged worktree and the shared link went with it).
    expect(status.stdout).toMatch(/^worktrees: none kept$/m);
  });

  it('a setup that fails in the integration worktree ends the run cleanly with a message (exit 1)', async () => {
    const dir = tempDir();
    const repo = makeRepo(path.join(dir, 'repo'), { 'a.txt': 'a' });
    writeFileSync(path.join(dir, 'plan.yaml'), 'goal: g\nverify: "true"\nsetup: echo no network here >&2; exit 4\ntasks:\n  - { id: reads-env, prompt: p }\n');
    const r = await runCli(['run', '--plan', path.join(dir, 'plan.yaml'), '--repo', repo, '--model', 'm', '--base-url', model.url, '--worktree-root', path.join(dir, 'wt')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/caid: setup `echo no network here >&2; exit 4` exited 4 in the integration worktree/);
    expect(r.stderr).not.toMatch(/internal error|at .*\.js:\d+/);
    const runs = JSON.parse((await runCli(['runs', '--repo', repo, '--json'])).stdout);
    expect(runs[0].status).toBe('failed');
  });
});
