import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Paths a task's own commits (subject `caid: <taskId>: …`, between the run's base and the task's
 * commit) changed that its plan `files` do not declare. A declared entry matches the path itself,
 * a folder above it (`src/` or `src`), or a `*` / `**` pattern. A task that declares no files is not
 * judged. Merges (conflict rounds taking in others' work) are left out.
 */
export async function undeclaredWrites(repoRoot: string, baseCommit: string, taskCommit: string, taskId: string, declared: readonly string[]): Promise<string[]> {
  if (declared.length === 0) return [];
  const { stdout } = await run('git', ['-c', 'core.quotePath=false', 'log', '--no-merges', '--format=%x01%s', '--name-only', taskCommit, '--not', baseCommit, '--'], { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024 });
  const mine = `caid: ${taskId}: `;
  const written = new Set<string>();
  for (const chunk of stdout.split('\x01').slice(1)) {
    const [subject, ...files] = chunk.split('\n');
    if (subject?.startsWith(mine)) for (const f of files) if (f.trim()) written.add(f.trim());
  }
  const matchers = declared.map(matcher);
  return [...written].filter((f) => !matchers.some((m) => m(f))).sort();
}

function matcher(entry: string): (file: string) => boolean {
  const e = path.posix.normalize(entry.replace(/^\.\//, '')).replace(/\/$/, '');
  if (/[*?]/.test(e)) {
    const re = new RegExp(`^${e.split(/(\*\*\/?|\*|\?)/).map((p) => (p === '**/' ? '(?:.*/)?' : p === '**' ? '.*' : p === '*' ? '[^/]*' : p === '?' ? '[^/]' : p.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('')}$`);
    return (f) => re.test(f);
  }
  return (f) => f === e || f.startsWith(`${e}/`);
}
