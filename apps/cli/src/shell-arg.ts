import path from 'node:path';

/**
 * One word of a command caid prints for the user to paste: as it is when the shell leaves it
 * alone, else single-quoted. A repository at `~/src/my project` printed bare pasted as two
 * arguments (`--repo ~/src/my` and a stray `project`).
 */
export function shellArg(word: string): string {
  if (/^[\w@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * ` --repo <root>` for a printed command, or nothing when the current folder is in that repository
 * (every command finds the root from a sub-folder, so the flag there is only noise).
 */
export function repoFlag(repoRoot: string, cwd = process.cwd()): string {
  const rel = path.relative(path.resolve(repoRoot), cwd);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel)) ? '' : ` --repo ${shellArg(repoRoot)}`;
}
