import { cpSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ignore from 'ignore';
import type { Repo } from '@caid/git';

/**
 * Copies the main checkout's ignored files that `.worktreeinclude` (gitignore syntax) or the
 * config's `include:` name — `.env`, local settings — into a new worktree. Tracked files are
 * never touched: the worktree already has them from git.
 */
export async function copyIncludedFiles(repo: Repo, worktree: string, patterns: string[] = []): Promise<string[]> {
  const file = path.join(repo.root, '.worktreeinclude');
  const rules = [...(existsSync(file) ? readFileSync(file, 'utf8').split('\n') : []), ...patterns].filter((l) => l.trim() && !l.startsWith('#'));
  if (!rules.length) return [];
  const matcher = ignore().add(rules);
  const copied: string[] = [];
  for (const rel of await repo.ignoredFiles()) {
    if (!matcher.ignores(rel)) continue;
    // An ignored folder comes as one entry: copy it whole only when a rule names it.
    cpSync(path.join(repo.root, rel), path.join(worktree, rel), { recursive: true, errorOnExist: false, force: true });
    copied.push(rel);
  }
  return copied;
}
