import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, call, git, makeRepo, runCli, taskOf, tempDir, writesFiles } from './cli-harness.js';
import { scriptedModelForFile } from './scripted-model-for-file.js';

// A new user (issue 18, session "newuser2") whose repository sits at a path with a space and who
// works from a sub-folder of it, as people do. Before the fixes: `caid run` and `caid doctor` from
// the sub-folder did not read the repository's caid.config.yaml (exit 2 "no model named", doctor
// red), `caid plan` wrote plan.yaml into the sub-folder, and every command caid printed to paste
// (`Land it: caid land … --repo /tmp/x/my proj`) split the path in two.
const model = scriptedModelForFile([
  { when: (c) => c.firstUser.startsWith('caid doctor') && c.tools.includes('ping'), reply: call('ping', {}) },
  { when: (c) => c.tools.includes('submit_plan'), reply: call('submit_plan', { goal: 'notes', tasks: [{ id: 'notes', title: 'Notes', prompt: 'write notes.txt' }] }) },
  { when: (c) => Boolean(taskOf(c)), reply: (c) => writesFiles({ [`${taskOf(c)}.txt`]: `${taskOf(c)} by caid\n` })(c) },
]);

/** A repository at `<tmp>/my proj` with its config (model and server) at the root, and an empty `src/sub`. */
function spacedRepo() {
  const dir = tempDir();
  const repo = makeRepo(path.join(dir, 'my proj'), { 'keep.txt': 'keep\n', 'src/sub/.keep': '' });
  writeFileSync(path.join(repo, 'caid.config.yaml'), `models:\n  worker:\n    provider: llamacpp\n    baseURL: ${model.server.url}\n    model: scripted\nworktreeRoot: ../wt\n`);
  git(repo, 'add', 'caid.config.yaml');
  git(repo, '-c', 'user.name=User', '-c', 'user.email=user@example.com', 'commit', '-q', '-m', 'config');
  return { dir, repo, sub: path.join(repo, 'src', 'sub') };
}

/** Runs a line caid printed for the user to paste, through a real shell, with `caid` on PATH (async: the scripted model answers from this process). */
function paste(line: string, dir: string, cwd: string): Promise<{ status: number | null; output: string }> {
  const bin = path.join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(path.join(bin, 'caid'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
  chmodSync(path.join(bin, 'caid'), 0o755);
  const child = spawn('sh', ['-c', `${line} 2>&1`], { cwd, env: { PATH: `${bin}:${process.env.PATH}`, HOME: process.env.HOME ?? '/tmp' }, stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.on('data', (d) => { output += d; });
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, output })));
}

describe('from a sub-folder of a repository whose path has a space', () => {
  it('doctor and run read the root\'s caid.config.yaml; the printed land command pastes as it is', async () => {
    const { dir, repo, sub } = spacedRepo();
    const doctor = await runCli(['doctor', '--json'], { cwd: sub });
    const report = JSON.parse(doctor.stdout) as { checks: { name: string; ok: boolean; detail: string }[] };
    expect(report.checks.find((c) => c.name === 'model worker'), doctor.stdout).toMatchObject({ ok: true });
    expect(report.checks.find((c) => c.name === 'worktree root')?.detail).toContain(path.join(dir, 'wt'));

    writeFileSync(path.join(dir, 'plan.yaml'), 'goal: notes\ntasks:\n  - { id: notes, title: Notes, prompt: write notes.txt }\n');
    const r = await runCli(['run', '--plan', '../../../plan.yaml', '--json'], { cwd: sub });
    expect(r.code, r.stderr).toBe(0);
    const { runId, commit } = JSON.parse(r.stdout) as { runId: string; commit: string };
    // The config's worktree root is relative to the repository, not to the folder caid ran in.
    expect(existsSync(path.join(dir, 'wt'))).toBe(true);
    expect(existsSync(path.join(sub, '.caid'))).toBe(false);
    expect(r.stderr).not.toMatch(/uncommitted or untracked files.*caid\.config\.yaml/);

    const landLine = /^Land it: +(caid land .*)$/m.exec(r.stderr)?.[1];
    // From inside the repository the command needs no --repo (it finds the root from here).
    expect(landLine).toBe(`caid land ${runId}`);
    expect(/^Result: (git -C .*)$/m.exec(r.stderr)?.[1]).toBe(`git -C '${repo}' log --oneline --graph caid/${runId}/integration`);
    const landed = await paste(landLine!, dir, sub);
    expect(landed.status, landed.output).toBe(0);
    expect(git(repo, 'rev-parse', 'main')).toBe(commit);
    expect(readFileSync(path.join(repo, 'notes.txt'), 'utf8')).toBe('notes by caid\n');
  }, 120_000);

  it('caid plan writes plan.yaml at the repository root (not the sub-folder) and prints a run command that pastes', async () => {
    const { dir, repo, sub } = spacedRepo();
    const r = await runCli(['plan', 'write notes'], { cwd: sub });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(path.join(sub, 'plan.yaml'))).toBe(false);
    expect(readFileSync(path.join(repo, 'plan.yaml'), 'utf8')).toContain('id: notes');
    const runLine = /run it with: (caid run .*)$/m.exec(r.stderr)?.[1];
    expect(runLine).toBe(`caid run --plan '${path.join(repo, 'plan.yaml')}' --repo '${repo}'`);
    const pasted = await paste(runLine!, dir, dir);
    expect(pasted.status, pasted.output).toBe(0);
    expect(pasted.output).toMatch(/run succeeded/);
  }, 120_000);
});

describe('caid doctor prints no secret; a base URL with a password is refused, not "no answer"', () => {
  it('a key in the base URL is not printed by doctor, in text or in JSON', async () => {
    const { sub } = spacedRepo();
    for (const json of [[], ['--json']]) {
      const r = await runCli(['doctor', '--base-url', 'http://127.0.0.1:9/v1?key=sk-abcdefSECRET0123456789', '--model', 'x', ...json], { cwd: sub });
      expect(r.code).toBe(1);
      expect(`${r.stdout}${r.stderr}`).toMatch(/model worker/);
      expect(`${r.stdout}${r.stderr}`).not.toContain('SECRET0123456789');
    }
  }, 60_000);

  it('user:password in the base URL: run and doctor say so (exit 2), without the password', async () => {
    const { sub } = spacedRepo();
    for (const cmd of [['run', 'a goal'], ['doctor']]) {
      const r = await runCli([...cmd, '--base-url', 'http://user:pw0rdSECRET@127.0.0.1:9/v1', '--model', 'x'], { cwd: sub });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain('the base URL http://127.0.0.1:9/v1 carries a user name or password, which caid cannot send');
      expect(`${r.stdout}${r.stderr}`).not.toContain('pw0rdSECRET');
    }
  }, 60_000);
});

describe('the next commands caid init and caid run print work from where the user is', () => {
  it('caid init from a sub-folder names the plan as a path from there; in a repository without commits it says to commit first', async () => {
    const dir = tempDir();
    const repo = makeRepo(path.join(dir, 'my proj'), { 'src/sub/.keep': '' });
    const r = await runCli(['init'], { cwd: path.join(repo, 'src', 'sub'), env: { CAID_INIT_SERVERS: 'ollama=http://127.0.0.1:9' } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/next: caid doctor, then caid run --plan \.\.\/\.\.\/plan\.yaml \(/);

    const fresh = path.join(dir, 'fresh repo');
    mkdirSync(fresh);
    git(fresh, 'init', '-q');
    const bare = await runCli(['init'], { cwd: fresh, env: { CAID_INIT_SERVERS: 'ollama=http://127.0.0.1:9' } });
    expect(bare.code, bare.stderr).toBe(0);
    expect(bare.stderr).toMatch(/next: commit something first \(git add -A && git commit -m "initial".*\), then caid doctor, then caid run --plan plan\.yaml/);
  }, 60_000);

  it('a run from a detached HEAD prints a land command that names --into', async () => {
    const { dir, repo } = spacedRepo();
    git(repo, 'checkout', '-q', '--detach', 'HEAD');
    writeFileSync(path.join(dir, 'plan.yaml'), 'goal: notes\ntasks:\n  - { id: notes, title: Notes, prompt: write notes.txt }\n');
    const r = await runCli(['run', '--plan', path.join(dir, 'plan.yaml')], { cwd: repo });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^Land it: +caid land \S+ --into BRANCH$/m);
  }, 120_000);
});
