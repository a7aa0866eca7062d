import { GitError as SimpleGitError, simpleGit, type SimpleGit } from 'simple-git';
import { GitError, type Identity } from './types.js';

export const defaultIdentity: Identity = { name: 'caid', email: 'caid@localhost' };

export interface GitRun {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** Carries the exit code through simple-git, which keeps an error's fields only for its own class. */
class GitExit extends SimpleGitError {
  constructor(readonly exitCode: number, readonly stdout: string, readonly stderr: string, cause?: Error) {
    super(undefined, stderr.trim() || stdout.trim() || cause?.message || `exit code ${exitCode}`);
  }
}

/**
 * Only what git needs: ambient GIT_* variables (GIT_DIR, GIT_INDEX_FILE, GIT_SSL_CAINFO…) would
 * redirect git or trip simple-git's environment guard; LC_ALL=C keeps output parseable.
 */
export function gitEnv(): Record<string, string> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C', LC_ALL: 'C' };
  if (process.env.HOME) env.HOME = process.env.HOME;
  if (process.env.TMPDIR) env.TMPDIR = process.env.TMPDIR;
  return env;
}

/** Rejects a revision or path argument that git would read as an option. */
export function positional(value: string, what = 'revision'): string {
  if (value === '' || value.startsWith('-')) throw new GitError(`invalid ${what}: ${JSON.stringify(value)}`);
  return value;
}

/**
 * One simple-git instance bound to a directory. Every non-zero exit rejects (simple-git alone
 * resolves when stderr is empty), so callers list the exit codes they expect instead.
 */
export class GitRunner {
  private git: SimpleGit | undefined;

  constructor(
    readonly dir: string,
    private readonly o: { identity: Identity; maxConcurrentProcesses?: number },
  ) {}

  /** Runs git; exit codes outside `ok` (or any non-zero one when `ok` is omitted) throw GitError. */
  async run(args: string[], ok: readonly number[] | 'any' = [0]): Promise<GitRun> {
    let r: GitRun;
    try {
      const stdout = await this.instance().raw(args);
      r = { stdout, stderr: '', exitCode: 0 };
    } catch (e) {
      if (!(e instanceof GitExit)) throw new GitError(`git ${describe(args)}: ${(e as Error).message}`);
      r = { stdout: e.stdout, stderr: e.stderr, exitCode: e.exitCode };
    }
    if (ok === 'any' || ok.includes(r.exitCode)) return r;
    throw new GitError(`git ${describe(args)} failed (exit ${r.exitCode}): ${r.stderr.trim() || r.stdout.trim()}`);
  }

  /** stdout of a command that must succeed. */
  async out(args: string[]): Promise<string> {
    return (await this.run(args)).stdout;
  }

  // Created on first use so a handle for a directory that does not exist yet fails as a GitError.
  private instance(): SimpleGit {
    if (this.git) return this.git;
    const { identity, maxConcurrentProcesses = 5 } = this.o;
    try {
      this.git = simpleGit({
        baseDir: this.dir,
        maxConcurrentProcesses,
        config: ['gc.auto=0', `user.name=${identity.name}`, `user.email=${identity.email}`],
        errors: (error, result) => {
          if (result.exitCode === 0 && !error) return undefined;
          const text = (b: Buffer[]) => Buffer.concat(b).toString('utf8');
          const cause = result.exitCode === 0 ? error as Error : undefined;
          return new GitExit(result.exitCode, text(result.stdOut), text(result.stdErr), cause);
        },
      }).env(gitEnv());
    } catch (e) {
      throw new GitError(`cannot run git in ${this.dir}: ${(e as Error).message}`);
    }
    return this.git;
  }
}

function describe(args: string[]): string {
  const s = args.join(' ');
  return s.length > 160 ? `${s.slice(0, 157)}...` : s;
}
