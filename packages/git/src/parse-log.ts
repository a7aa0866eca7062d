export interface LogEntry {
  sha: string;
  subject: string;
  parents: string[];
}

/** The `--format` that `parseLog` reads; combine with `-z` so commits are NUL-separated. */
export const LOG_FORMAT = '--format=%H%x1f%P%x1f%s';

export function parseLog(out: string): LogEntry[] {
  const res: LogEntry[] = [];
  for (const record of out.split('\0')) {
    const [sha, parents = '', ...subject] = record.replace(/^\n/, '').split('\x1f');
    if (!sha) continue;
    res.push({ sha, subject: subject.join('\x1f'), parents: parents.split(' ').filter(Boolean) });
  }
  return res;
}
