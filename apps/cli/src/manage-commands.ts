import path from 'node:path';
import { InputError } from '@caid/core';
import { Repo } from '@caid/git';
import { abortRun, applyClean, listRuns, planClean } from '@caid/orchestrator';
import { logger } from '@caid/log';

const clog = logger('cli');

const openRepo = async (dir: string) => Repo.open(path.resolve(dir)).catch((err: unknown) => {
  clog.debug({ err, repo: dir }, 'cannot open the repository');
  throw new InputError(`${path.resolve(dir)} is not a git repository (pass --repo)`);
});

/** `caid runs`: every run with its status, newest last. */
export async function runsCommand(f: { repo: string; json?: boolean }): Promise<number> {
  const repo = await openRepo(f.repo);
  const runs = listRuns(repo.root);
  if (f.json) {
    process.stdout.write(`${JSON.stringify(runs)}\n`);
    return 0;
  }
  if (!runs.length) process.stdout.write('no caid runs here\n');
  for (const r of runs) {
    // After `caid clean` the branch is gone: say so, rather than list it as something to merge.
    const branch = (await repo.branchExists(r.branch)) ? r.branch : `${r.branch} (removed)`;
    process.stdout.write(`${r.runId}  ${r.status.padEnd(11)}  ${r.merged}/${r.total} merged${r.failed ? `, ${r.failed} failed or skipped` : ''}  ${branch}  ${r.goal.slice(0, 60)}\n`);
  }
  return 0;
}

/** `caid abort <runId>`: stop a run, keep everything. */
export async function abortCommand(runId: string, f: { repo: string }): Promise<number> {
  const outcome = await abortRun((await openRepo(f.repo)).root, runId);
  const say = {
    'already-finished': () => `run ${runId} already ended (${(outcome as { status: string }).status}); nothing to stop`,
    stopped: () => `stopped run ${runId} (process ${(outcome as { pid: number }).pid}); its branches and worktrees are kept`,
    'marked-cancelled': () => `run ${runId} had no live process; marked it cancelled; its branches and worktrees are kept`,
  }[outcome.kind];
  process.stderr.write(`${say()}\n`);
  return 0;
}

/** `caid clean [runId|--all]`: prints what it would remove; removes only with --yes. */
export async function cleanCommand(runId: string | undefined, f: { repo: string; all?: boolean; yes?: boolean; force?: boolean }): Promise<number> {
  const repo = await openRepo(f.repo);
  const known = listRuns(repo.root).map((r) => r.runId);
  if (!runId && !f.all) throw new InputError('name a run (`caid clean <runId>`) or pass --all; `caid runs` lists them');
  if (runId && !known.includes(runId)) throw new InputError(`no run "${runId}" in ${repo.root}; known runs: ${known.join(', ') || 'none'}`);
  const items = await planClean(repo, runId ? [runId] : known, f.force);
  for (const i of items) process.stdout.write(`${i.remove ? (f.yes ? 'removed' : 'would remove') : 'keep'}  ${i.kind} ${i.target}  (${i.why})\n`);
  if (!items.some((i) => i.remove)) process.stdout.write('nothing to remove\n');
  else if (f.yes) await applyClean(repo, items);
  else process.stdout.write('dry run: pass --yes to remove the items above\n');
  return 0;
}
