import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * A library laid out like Commit0's, for `caid eval commit0`: `reference` committed on main, then
 * "Commit 0" with `stubs` written over it (the bodies stubbed) on the branch commit0_combined.
 */
export function commit0Library(dir: string, reference: Record<string, string>, stubs: Record<string, string>): string {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'pipe' });
  const write = (files: Record<string, string>) => {
    for (const [f, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
      writeFileSync(path.join(dir, f), text);
    }
  };
  mkdirSync(dir, { recursive: true });
  git('init', '-q', '-b', 'main');
  write(reference);
  git('add', '-A');
  git('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', 'reference');
  git('checkout', '-q', '-b', 'commit0_combined');
  write(stubs);
  git('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-am', 'Commit 0');
  return dir;
}
