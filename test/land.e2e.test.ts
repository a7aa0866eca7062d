import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedModel, type ScriptedModelServer } from '@caid/llm/testing';
import { git, makeRepo, removeTemps, runCli, taskOf, tempDir, writesFiles } from './cli-harness.js';

// `caid land`: a finished run's integration branch brought into the user's branch, pushed, or
// opened as a pull request, on real repositories; `gh` is a stand-in script that records its arguments.
let model: ScriptedModelServer;
let dir: string;
beforeAll(async () => {
  model = await startScriptedModel({
    rules: [{ when: (c) => Boolean(taskOf(c)), reply: (c) => writesFiles({ [`${taskOf(c)}.txt`]: `${taskOf(c)} by caid\n` })(c) }],
  });
  dir = tempDir();
});
afterAll(async () => {
  await model.close();
  removeTemps();
});

const PLAN = 'goal: Add the one and two files\ntasks:\n  - { id: one, title: First file, prompt: p }\n  - { id: two, title: Second file, prompt: p }\n';
let n = 0;
/** A fresh repository on `main` with a finished, green two-task run; returns its paths and run. */
async function finishedRun(extra: string[] = []) {
  const root = path.join(dir, `case-${++n}`);
  const repo = makeRepo(path.join(root, 'repo'), { 'one.txt': 'original one\n', 'keep.txt': 'keep\n' });
  const plan = path.join(root, 'plan.yaml');
  writeFileSync(plan, PLAN);
  const r = await runCli(['run', '--plan', plan, '--repo', repo, '--model', 'm', '--base-url', model.url, '--worktree-root', path.join(root, 'wt'), '--json', ...extra]);
  expect(r.code, r.stderr).toBe(0);
  return { root, repo, run: JSON.parse(r.stdout) as { runId: string; branch: string; commit: string }, stderr: r.stderr };
}
const commitAsUser = (repo: string, file: string, text: string) => {
  writeFileSync(path.join(repo, file), text);
  git(repo, 'add', file);
  git(repo, '-c', 'user.name=User', '-c', 'user.email=user@example.com', 'commit', '-q', '-m', `user edits ${file}`);
  return git(repo, 'rev-parse', 'HEAD');
};

describe('caid land', () => {
  it('fast-forwards the branch the run started from, keeping unrelated uncommitted work', async () => {
    const { repo, run } = await finishedRun();
    writeFileSync(path.join(repo, 'keep.txt'), 'my uncommitted edit\n');
    writeFileSync(path.join(repo, 'scratch.txt'), 'untracked\n');
    const r = await runCli(['land', run.runId, '--repo', repo, '--ff-only']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/main .*fast-forward/);
    expect(git(repo, 'rev-parse', 'main')).toBe(run.commit);
    expect(readFileSync(path.join(repo, 'two.txt'), 'utf8')).toBe('two by caid\n');
    expect(readFileSync(path.join(repo, 'keep.txt'), 'utf8')).toBe('my uncommitted edit\n');
    expect(readFileSync(path.join(repo, 'scratch.txt'), 'utf8')).toBe('untracked\n');
    // Landing again has nothing to do.
    const again = await runCli(['land', run.runId, '--repo', repo]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/already contains/);
  }, 120_000);

  it('refuses, naming the files, when uncommitted changes would be touched; nothing is lost', async () => {
    const { repo, run } = await finishedRun();
    writeFileSync(path.join(repo, 'one.txt'), 'my work in progress\n');
    writeFileSync(path.join(repo, 'two.txt'), 'my untracked two\n');
    const before = git(repo, 'rev-parse', 'main');
    const r = await runCli(['land', run.runId, '--repo', repo]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`uncommitted changes[\\s\\S]*one\\.txt[\\s\\S]*two\\.txt[\\s\\S]*nothing was changed; commit them or stash them \\(\`git stash -u\`: a plain git stash leaves untracked files where they are\\), then run \`caid land ${run.runId} --repo ${repo}\` again`));
    expect(git(repo, 'rev-parse', 'main')).toBe(before);
    expect(readFileSync(path.join(repo, 'one.txt'), 'utf8')).toBe('my work in progress\n');
    expect(readFileSync(path.join(repo, 'two.txt'), 'utf8')).toBe('my untracked two\n');
    // The command to run again keeps the options that shape the landing.
    const squash = await runCli(['land', run.runId, '--repo', repo, '--squash', '--into', 'main']);
    expect(squash.code).toBe(2);
    expect(squash.stderr).toContain(`then run \`caid land ${run.runId} --into main --squash --repo ${repo}\` again`);
    // From inside the repository the command needs no --repo; a pull request stays one (--pr).
    const bin = tempDir();
    writeFileSync(path.join(bin, 'gh'), '#!/bin/sh\nexit 0\n');
    chmodSync(path.join(bin, 'gh'), 0o755);
    const inside = await runCli(['land', run.runId, '--pr', '--push', repo, '--into', 'main'], { cwd: repo, env: { PATH: `${bin}:${process.env.PATH}` } });
    expect(inside.code, inside.stderr).toBe(2);
    expect(inside.stderr).toContain(`then run \`caid land ${run.runId} --into main --push ${repo} --pr\` again`);
    // The advice works: `git stash -u` takes both, the land goes through, and the stash holds the work.
    git(repo, '-c', 'user.name=U', '-c', 'user.email=u@example.com', 'stash', '-u');
    const landed = await runCli(['land', run.runId, '--repo', repo]);
    expect(landed.code, landed.stderr).toBe(0);
    expect(git(repo, 'show', 'stash@{0}:one.txt')).toBe('my work in progress');
    expect(git(repo, 'show', 'stash@{0}^3:two.txt')).toBe('my untracked two');
  }, 120_000);

  it('merges when the branch moved on, never rewriting the user commit; --ff-only refuses it', async () => {
    const { repo, run } = await finishedRun();
    const mine = commitAsUser(repo, 'keep.txt', 'user commit after the run started\n');
    const ff = await runCli(['land', run.runId, '--repo', repo, '--ff-only']);
    expect(ff.code).toBe(2);
    expect(ff.stderr).toMatch(/cannot be fast-forwarded.*--merge or --squash/);
    expect(git(repo, 'rev-parse', 'main')).toBe(mine);

    git(repo, 'config', 'user.name', 'User');
    git(repo, 'config', 'user.email', 'user@example.com');
    const r = await runCli(['land', run.runId, '--repo', repo, '--merge']);
    expect(r.code, r.stderr).toBe(0);
    expect(git(repo, 'rev-parse', 'main^1')).toBe(mine);
    expect(git(repo, 'rev-parse', 'main^2')).toBe(run.commit);
    expect(git(repo, 'log', '-1', '--format=%an', 'main')).toBe('User');
    expect(readFileSync(path.join(repo, 'keep.txt'), 'utf8')).toBe('user commit after the run started\n');
    expect(readFileSync(path.join(repo, 'one.txt'), 'utf8')).toBe('one by caid\n');
    expect(git(repo, 'status', '--porcelain')).toBe('');
  }, 120_000);

  it('--squash into a branch that is not checked out makes one commit on top of it', async () => {
    const { repo, run } = await finishedRun();
    git(repo, 'branch', 'release', 'main');
    const r = await runCli(['land', run.runId, '--repo', repo, '--into', 'release', '--squash']);
    expect(r.code, r.stderr).toBe(0);
    expect(git(repo, 'rev-list', '--count', 'main..release')).toBe('1');
    expect(git(repo, 'rev-parse', 'release^{tree}')).toBe(git(repo, 'rev-parse', `${run.commit}^{tree}`));
    expect(git(repo, 'rev-parse', 'main')).not.toBe(git(repo, 'rev-parse', 'release'));
  }, 120_000);

  it('--push sends the integration branch to a bare remote and leaves local branches alone', async () => {
    const { root, repo, run } = await finishedRun();
    const bare = path.join(root, 'remote.git');
    execFileSync('git', ['init', '-q', '--bare', bare]);
    git(repo, 'remote', 'add', 'origin', bare);
    const before = git(repo, 'rev-parse', 'main');
    const r = await runCli(['land', run.runId, '--repo', repo, '--push', 'origin']);
    expect(r.code, r.stderr).toBe(0);
    expect(git(bare, 'rev-parse', run.branch)).toBe(run.commit);
    expect(git(repo, 'rev-parse', 'main')).toBe(before);
  }, 120_000);

  it('--pr opens a pull request with gh: title from the goal, body with tasks, tests, conflicts, tokens and cost', async () => {
    const { root, repo, run } = await finishedRun();
    const bare = path.join(root, 'remote.git');
    execFileSync('git', ['init', '-q', '--bare', bare]);
    git(repo, 'remote', 'add', 'origin', bare);
    const bin = path.join(root, 'bin');
    mkdirSync(bin);
    const record = path.join(root, 'gh-calls.jsonl');
    writeFileSync(path.join(bin, 'gh'), `#!${process.execPath}\nconst fs = require('node:fs');\nfs.appendFileSync(${JSON.stringify(record)}, JSON.stringify(process.argv.slice(2)) + '\\n');\nif (process.argv[2] === 'pr') console.log('https://github.com/you/repo/pull/7');\n`);
    chmodSync(path.join(bin, 'gh'), 0o755);
    const r = await runCli(['land', run.runId, '--repo', repo, '--pr'], { env: { PATH: `${bin}:${process.env.PATH}` } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/pull request: https:\/\/github.com\/you\/repo\/pull\/7/);
    expect(git(bare, 'rev-parse', run.branch)).toBe(run.commit);
    const calls = readFileSync(record, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as string[]);
    const create = calls.find((c) => c[0] === 'pr')!;
    const arg = (flag: string) => create[create.indexOf(flag) + 1];
    expect(create.slice(0, 2)).toEqual(['pr', 'create']);
    expect(arg('--title')).toBe('Add the one and two files');
    expect(arg('--head')).toBe(run.branch);
    expect(arg('--base')).toBe('main');
    expect(arg('--body')).toMatch(/\| one: First file \| merged \|/);
    expect(arg('--body')).toMatch(/\| two: Second file \| merged \|/);
    expect(arg('--body')).toMatch(/Conflicts resolved.*: 0/);
    expect(arg('--body')).toMatch(/Send-backs.*: 0/);
    expect(arg('--body')).toMatch(/Tokens: [\d,]+ .*cost: \$\d/);
  }, 120_000);

  it('--pr says what to do when gh is missing or not logged in, and changes nothing', async () => {
    const { root, repo, run } = await finishedRun();
    const bin = path.join(root, 'bin');
    mkdirSync(bin);
    symlinkSync(execFileSync('sh', ['-c', 'command -v git']).toString().trim(), path.join(bin, 'git'));
    const missing = await runCli(['land', run.runId, '--repo', repo, '--pr'], { env: { PATH: bin } });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/GitHub CLI \(gh\).*not installed.*cli\.github\.com/);
    writeFileSync(path.join(bin, 'gh'), `#!/bin/sh\nif [ "$1" = auth ]; then echo 'You are not logged into any GitHub hosts' >&2; exit 1; fi\nexit 0\n`);
    chmodSync(path.join(bin, 'gh'), 0o755);
    const loggedOut = await runCli(['land', run.runId, '--repo', repo, '--pr'], { env: { PATH: `${bin}:/usr/bin:/bin` } });
    expect(loggedOut.code).toBe(2);
    expect(loggedOut.stderr).toMatch(/gh auth login/);
    expect(loggedOut.stderr).not.toMatch(/internal error/);
  }, 120_000);

  it('caid run --land lands a green run at its end', async () => {
    const { repo, run, stderr } = await finishedRun(['--land']);
    expect(stderr).toMatch(/main .*fast-forward/);
    expect(git(repo, 'rev-parse', 'main')).toBe(run.commit);
    expect(readFileSync(path.join(repo, 'one.txt'), 'utf8')).toBe('one by caid\n');
  }, 120_000);
});
