export interface FileStat {
  file: string;
  insertions: number;
  deletions: number;
}

/** Parses `git diff --numstat -z --no-renames`: `ins\tdel\tpath` per NUL; binary files show `-` (counted as 0). */
export function parseNumstat(out: string): FileStat[] {
  const res: FileStat[] = [];
  for (const entry of out.split('\0')) {
    const m = /^(-|\d+)\t(-|\d+)\t(.+)$/s.exec(entry.replace(/^\n/, ''));
    if (!m) continue;
    res.push({ file: m[3]!, insertions: m[1] === '-' ? 0 : Number(m[1]), deletions: m[2] === '-' ? 0 : Number(m[2]) });
  }
  return res;
}
