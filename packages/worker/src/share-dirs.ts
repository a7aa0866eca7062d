import { constants, cpSync, existsSync, linkSync, mkdirSync, readdirSync, readlinkSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import type { Repo } from '@caid/git';

export interface ShareEntry {
  path: string;
  /** symlink: one shared copy (fast, writes are shared); hardlink: private tree of links to the same files. */
  mode?: 'symlink' | 'hardlink';
}

export interface ShareResult {
  path: string;
  mode: 'symlink' | 'hardlink' | 'copy';
  note?: string;
}

/**
 * Makes heavy folders of the main checkout (node_modules, .venv, build caches) available in a
 * worktree without reinstalling. Hard links fall back to a plain copy where the filesystem
 * refuses them (another device, no link support), and say so.
 *
 * A hard link's file IS the user's file, and only the sandbox (a read-only bind) stops a shell
 * command from writing into it: with `hardlinks: false` (agent commands not under bwrap) a
 * hard-link share becomes a copy, reflinked where the filesystem can (copy-on-write, as cheap as
 * a link), so no `echo >> data/f` of the agent reaches the user's checkout.
 */
export async function shareDirs(repo: Repo, worktree: string, entries: ShareEntry[], o: { hardlinks?: boolean } = {}): Promise<ShareResult[]> {
  const results: ShareResult[] = [];
  for (const e of entries) {
    const from = path.join(repo.root, e.path);
    const to = path.join(worktree, e.path);
    if (!existsSync(from) || existsSync(to)) continue;
    // A symlink is a file to git, so a `node_modules/` rule would not ignore it: exclude it by name.
    await repo.excludeLocally(`/${e.path.replace(/\/+$/, '')}`);
    mkdirSync(path.dirname(to), { recursive: true });
    if ((e.mode ?? 'symlink') === 'symlink') {
      symlinkSync(from, to, 'dir');
      results.push({ path: e.path, mode: 'symlink' });
      continue;
    }
    if (o.hardlinks === false) {
      cpSync(from, to, { recursive: true, verbatimSymlinks: true, mode: constants.COPYFILE_FICLONE });
      results.push({ path: e.path, mode: 'copy', note: 'agent commands are not sandboxed, so no hard links to your files: copied (reflinked where the filesystem can)' });
      continue;
    }
    try {
      linkTree(from, to);
      results.push({ path: e.path, mode: 'hardlink' });
    } catch (err) {
      cpSync(from, to, { recursive: true, verbatimSymlinks: true });
      results.push({ path: e.path, mode: 'copy', note: `hard links refused (${(err as NodeJS.ErrnoException).code}); copied instead` });
    }
  }
  return results;
}

/**
 * A tree of hard links to `from`'s files (symlinks recreated as they are). The directory entries'
 * own types are used (Node stats only where the filesystem reports none), so a file costs one
 * link and no stat.
 */
function linkTree(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const src = path.join(from, entry.name);
    const dst = path.join(to, entry.name);
    if (entry.isDirectory()) linkTree(src, dst);
    else if (entry.isSymbolicLink()) symlinkSync(readlinkSync(src), dst);
    else linkSync(src, dst);
  }
}
