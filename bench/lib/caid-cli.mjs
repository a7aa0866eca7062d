import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BENCH_DIR } from './results-file.mjs';

export const CLI = path.join(BENCH_DIR, '..', 'apps', 'cli', 'bin', 'caid.js');

/**
 * Runs the real `caid` bin; `ms` is its wall clock. `onSpawn(pid)` gets the coordinator's pid
 * (the bin imports the CLI in-process, so that pid is the process that schedules and merges).
 */
export function runCaid(args, { onSpawn, env = {} } = {}) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { CAID_GIT_TRACE: process.env.CAID_GIT_TRACE, PATH: process.env.PATH, HOME: process.env.HOME ?? os.tmpdir(), OPENAI_API_KEY: 'bench', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    onSpawn?.(child.pid);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: performance.now() - t0 }));
  });
}

/** `caid run` that must succeed; returns the --json summary and the wall clock. */
export async function caidRun({ plan, repo, workers, modelUrl, worktreeRoot, onSpawn, extraArgs = [] }) {
  const planFile = path.join(path.dirname(worktreeRoot), `plan-${Date.now()}-${Math.random().toString(36).slice(2, 6)}.json`);
  writeFileSync(planFile, JSON.stringify(plan));
  const r = await runCaid(['run', '--plan', planFile, '--repo', repo, '--workers', String(workers), '--model', 'scripted',
    '--base-url', modelUrl, '--worktree-root', worktreeRoot, '--json', '--quiet', ...extraArgs], { onSpawn });
  if (r.code !== 0) throw new Error(`caid run exited ${r.code}:\n${r.stderr.split("\n").filter((l) => !l.includes(" skipped ")).join("\n").slice(-4000)}`);
  return { ms: r.ms, summary: JSON.parse(r.stdout.trim().split('\n').at(-1)) };
}

/** Milliseconds between pairs of events of a finished run, read from its log. */
export function runEvents(repo, runId) {
  return readFileSync(path.join(repo, '.caid', 'runs', runId, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
}

export const git = (cwd, ...args) => execFileSync('git', args, { cwd, stdio: 'pipe', maxBuffer: 1 << 26 }).toString().trim();

/** A repository with one commit on `main` holding `files` ({path: text}). */
export function makeRepo(dir, files) {
  mkdirSync(dir, { recursive: true });
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    writeFileSync(path.join(dir, f), text);
  }
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'gc.auto', '0');
  git(dir, 'add', '-A');
  git(dir, '-c', 'user.name=bench', '-c', 'user.email=bench@localhost', 'commit', '-q', '-m', 'initial');
  return dir;
}

/** A temp folder removed by `dispose()`. */
export function scratch(prefix) {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The scripted agent's tool call. */
export const call = (name, args) => ({ toolCalls: [{ name, arguments: args }] });
export const taskOf = (c) => /^# Task ([a-z0-9-]+)/m.exec(c.firstUser)?.[1];
