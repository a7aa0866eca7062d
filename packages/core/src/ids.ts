/** Names derived from the one task id (ARCHITECTURE.md "Identity"). */
export const integrationBranch = (runId: string) => `caid/${runId}/integration`;
export const taskBranch = (runId: string, taskId: string) => `caid/${runId}/tasks/${taskId}`;
/**
 * Distributed runs: where a worker also pushes each commit it reports, so the coordinator can
 * fetch exactly the commit it accepts even when a duplicate run of the same round (a job re-run
 * after a lost Redis or lock) pushed another commit over the task branch. Dropped at run end.
 */
export const commitRefs = (runId: string) => `refs/caid/${runId}/commits/`;
export const commitRef = (runId: string, sha: string) => `${commitRefs(runId)}${sha}`;
export const jobId = (runId: string, taskId: string, attempt: number) => `${runId}__${taskId}__${attempt}`;
export const runDir = (runId: string) => `.caid/runs/${runId}`;
export const transcriptPath = (runId: string, taskId: string) => `.caid/runs/${runId}/tasks/${taskId}.jsonl`;
/** The integration worktree's folder; `_` can never start a task id, so it never collides with one. */
export const INTEGRATION_DIR = '_integration';
/**
 * Where merged tasks' clean worktrees wait (`<worktreeRoot>/<runId>/.spare/<taskId>`) to be taken
 * over by a new task; `.` never starts a task id either.
 */
export const spareWorktrees = (worktreeRoot: string, runId: string) => `${worktreeRoot}/${runId}/.spare`;

/** Also git's ref rules for a name inside `caid/<runId>/…`: no `..`, not ending in `.lock` or `.`. */
export const RUN_ID = /^(?!\d+$)(?!.*\.\.)(?!.*\.lock$)(?!.*\.$)[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** A sortable, readable run id that is never all digits and never contains ':'. */
export function newRunId(now = new Date(), random = Math.random): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const suffix = Math.floor(random() * 36 ** 4).toString(36).padStart(4, '0');
  return `${stamp}-${suffix}`;
}
