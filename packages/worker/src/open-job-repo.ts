import { Repo } from '@caid/git';

const opened = new Map<string, Promise<Repo>>();

/**
 * The repository of a job, opened once per process: every round of a run names the same one, and
 * opening costs three git processes (one of them lists every worktree). A failed open is not kept.
 */
export function openJobRepo(dir: string): Promise<Repo> {
  let repo = opened.get(dir);
  if (!repo) {
    repo = Repo.open(dir);
    opened.set(dir, repo);
    // expected: not swallowed, the caller awaits `repo` and gets the error; this only forgets the failed open.
    repo.catch(() => opened.delete(dir));
  }
  return repo;
}
