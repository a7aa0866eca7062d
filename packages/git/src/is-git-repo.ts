import { GitRunner, defaultIdentity } from './git-runner.js';
import { logger } from '@caid/log';

const glog = logger('git');

/** Whether `dir` is inside a git work tree (a bare repository is not). Never throws. */
export async function isGitRepo(dir: string): Promise<boolean> {
  try {
    const r = await new GitRunner(dir, { identity: defaultIdentity }).run(['rev-parse', '--is-inside-work-tree'], 'any');
    return r.exitCode === 0 && r.stdout.trim() === 'true';
  } catch (err) {
    glog.debug({ err, dir }, 'git could not be run');
    return false;
  }
}
