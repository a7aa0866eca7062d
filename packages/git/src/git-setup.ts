import { execFileSync } from 'node:child_process';
import { logger } from '@caid/log';

const log = logger('git');

export interface GitSetup {
  /** `2.43.0`, or undefined when git cannot be run. */
  version?: string;
  /** The identity git would commit with in `dir` (user.name / user.email), if configured. */
  name?: string;
  email?: string;
}

function git(dir: string, args: string[]): string | undefined {
  try {
    return execFileSync('git', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 }).toString().trim() || undefined;
  } catch (err) {
    log.debug({ err, args }, 'git setup: command failed'); // unset config keys exit 1: the answer is "none"
    return undefined;
  }
}

/** Which git is installed and who it commits as in `dir` (for `caid doctor`). */
export function gitSetup(dir: string): GitSetup {
  const version = git(dir, ['--version'])?.match(/(\d+\.\d+(?:\.\d+)?)/)?.[1];
  if (!version) return {};
  return { version, name: git(dir, ['config', 'user.name']), email: git(dir, ['config', 'user.email']) };
}
