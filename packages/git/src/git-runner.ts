import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { GitError, type Identity } from './types.js';

export const defaultIdentity: Identity = { name: 'caid', email: 'caid@localhost' };

export interface GitRun {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/**
 * Only what git needs: ambient GIT_* variables (GIT_DIR, GIT_INDEX_FILE, GIT_SSL_CAINFO…) would
 * redirect git; LC_ALL=C keeps output parseable.
 */
export function gitEnv(): Record<string, string> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C', LC_ALL: 'C' };
  if (process.env.HOME) env.HOME = process.env.HOME;
  if (process.env.TMPDIR) env.TMPDIR = process.env.TMPDIR;
  // No system-wide config: caid's commands never run programs configured outside the repository.
  env.GIT_CONFIG_NOSYSTEM = '1';
  return env;
}

/** Rejects a revision or path argument that git would read as an option. */
export function positional(value: string, what = 'revision'): string {
  if (value === '' || value.startsWith('-')) throw new GitError(`invalid ${what}: ${JSON.stringify(value)}`);
  return value;
}

/**
 * git run in one directory, at most `maxConcurrentProcesses` processes at a time (default 5). Every
 * non-zero exit rejects unless the caller lists it as expected. Processes are spawned with Node's
 * own child_process, not simple-git or execa: simple-git 4 waits 50 ms more after any command that
 * prints nothing (its completion detection), and update-ref, merge-base --is-ancestor, add and
 * commit -q print nothing: on the serial merge path that was 100 of every 120 ms; execa costs
 * ~40% more time per process and ~1 MB of peak memory per process in flight (measured with 40 at once).
 */
export class GitRunner {
  private active = 0;
  private readonly queued: (() => void)[] = [];

  constructor(
    readonly dir: string,
    private readonly o: {
      identity: Identity;
      maxConcurrentProcesses?: number;
      /** The git dir to use (with `dir` as the work tree) instead of discovering it through `dir/.git`; may throw. */
      gitDir?: () => string;
    },
  ) {}

  /** Runs git; exit codes outside `ok` (or any non-zero one when `ok` is omitted) throw GitError. */
  async run(args: string[], ok: readonly number[] | 'any' = [0]): Promise<GitRun> {
    const r = await this.limited(() => this.spawn(args));
    if (ok === 'any' || ok.includes(r.exitCode)) return r;
    throw new GitError(`git ${describe(args)} failed (exit ${r.exitCode}): ${r.stderr.trim() || r.stdout.trim()}`);
  }

  /** stdout of a command that must succeed. */
  async out(args: string[]): Promise<string> {
    return (await this.run(args)).stdout;
  }

  private spawn(args: string[]): Promise<GitRun> {
    // Checked here, as a spawn in a missing directory reports only "spawn git ENOENT".
    if (!existsSync(this.dir)) return Promise.reject(new GitError(`cannot run git in ${this.dir}: the directory does not exist`));
    const { identity } = this.o;
    let location: string[] = [];
    try {
      if (this.o.gitDir) location = [`--git-dir=${this.o.gitDir()}`, `--work-tree=${this.dir}`];
    } catch (e) {
      return Promise.reject(e);
    }
    const config = [...location, '-c', 'gc.auto=0', '-c', `user.name=${identity.name}`, '-c', `user.email=${identity.email}`, ...NO_PLANTED_PROGRAMS];
    return new Promise((resolve, reject) => {
      const child = spawn('git', [...config, ...args], { cwd: this.dir, env: gitEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => err.push(b));
      child.once('error', (e) => reject(new GitError(`git ${describe(args)}: ${e.message}`)));
      child.once('close', (code, signal) => resolve({
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8') || (signal ? `killed by ${signal}` : ''),
        exitCode: code ?? -1,
      }));
    });
  }

  private async limited<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= (this.o.maxConcurrentProcesses ?? 5)) await new Promise<void>((resolve) => this.queued.push(resolve));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.queued.shift()?.();
    }
  }
}

/**
 * Config that would make caid's own git commands run a program an agent could plant in the
 * repository's config or hooks folder: hooks, the fsmonitor daemon, external diff and text
 * conversion drivers, ssh and askpass helpers. Each is switched off for every command caid runs.
 */
export const NO_PLANTED_PROGRAMS: readonly string[] = [
  '-c', 'core.hooksPath=/dev/null', '-c', 'core.fsmonitor=false', '-c', 'core.sshCommand=false',
  '-c', 'core.askPass=', '-c', 'diff.external=', '-c', 'protocol.ext.allow=never',
];

function describe(args: string[]): string {
  const s = args.join(' ');
  return s.length > 160 ? `${s.slice(0, 157)}...` : s;
}
