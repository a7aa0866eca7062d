import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ScriptedReply, Conversation } from '@caid/llm/testing';

export const CLI = path.resolve(__dirname, '../apps/cli/bin/caid.js');

export interface CliResult { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

/** Runs the real `caid` bin in a child process. */
export function runCli(args: string[], o: { env?: Record<string, string>; cwd?: string; onSpawn?: (pid: number) => void } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: o.cwd ?? process.cwd(),
      env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', ...o.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (child.pid) o.onSpawn?.(child.pid);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

export const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, { cwd, stdio: 'pipe', env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp' } }).toString().trim();

const temps: string[] = [];
export function tempDir(prefix = 'caid-e2e-'): string {
  const d = mkdtempSync(path.join(os.tmpdir(), prefix));
  temps.push(d);
  return d;
}
export function removeTemps() {
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** A repository with one commit on `main` holding the given files. */
export function makeRepo(dir: string, files: Record<string, string>): string {
  mkdirSync(dir, { recursive: true });
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    writeFileSync(path.join(dir, f), text);
  }
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '-A');
  git(dir, '-c', 'user.name=User', '-c', 'user.email=user@example.com', 'commit', '-q', '-m', 'initial');
  return dir;
}

export const taskOf = (c: Conversation) => /^# Task ([a-z0-9-]+)/m.exec(c.firstUser)?.[1];
const call = (name: string, args: unknown): ScriptedReply => ({ toolCalls: [{ name, arguments: args }] });

/** A scripted agent that writes the given files, then finishes. */
export function writesFiles(files: Record<string, string>, summary = 'done'): (c: Conversation) => ScriptedReply {
  const steps = [...Object.entries(files).map(([p, content]) => call('write_file', { path: p, content })), call('finish', { summary })];
  return (c) => steps[Math.min(c.stepInRound, steps.length - 1)]!;
}
export { call };
