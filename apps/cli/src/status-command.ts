import { existsSync } from 'node:fs';
import path from 'node:path';
import { formatSettings, InputError, summarize } from '@caid/core';
import { Repo } from '@caid/git';
import { diskUsage, keptWorktrees, listRuns, loadRunState } from '@caid/orchestrator';
import { formatState } from './format-state.js';
import { humanBytes, keptWorktreesNote } from './kept-worktrees-note.js';
import { logger } from '@caid/log';

const clog = logger('cli');

/** `caid status [runId]`: the fold of the run's log, and the disk its worktrees take. */
export async function statusCommand(runId: string | undefined, f: { repo: string; json?: boolean; settings?: boolean }): Promise<number> {
  if (!existsSync(path.resolve(f.repo))) throw new InputError(`repository folder ${path.resolve(f.repo)} does not exist (pass --repo DIR)`);
  const repo = await Repo.open(path.resolve(f.repo)).catch((err: unknown) => { clog.debug({ err, repo: f.repo }, 'not a repository: reading runs at the path as given'); return null; });
  const state = loadRunState(repo?.root ?? path.resolve(f.repo), runId);
  // As `caid runs` says it: a running log that no live process drives is interrupted.
  const dead = state.status === 'running' && listRuns(repo?.root ?? path.resolve(f.repo)).find((r) => r.runId === state.runId)?.status === 'interrupted';
  const kept = repo && state.worktreeRoot ? await keptWorktrees(repo, state) : undefined;
  const worktreeBytes = kept?.bytes ?? (state.worktreeRoot ? diskUsage(path.join(state.worktreeRoot, state.runId)) : 0);
  if (f.json) {
    const summary = summarize(state, { dead });
    const tasks = state.order.map((id) => {
      const t = state.tasks[id]!;
      return { id, status: summary.tasks.find((x) => x.id === id)!.status, attempts: t.attempts, conflicts: t.conflicts, reason: t.reason, step: t.step, usage: t.usage, tests: t.tests };
    });
    process.stdout.write(`${JSON.stringify({ ...summary, ...(dead ? { status: 'interrupted' } : {}), mergeOrder: state.mergeOrder, tasks, worktreeBytes, ...(kept ? { keptWorktrees: kept.paths } : {}), settings: state.settings, ...(state.sandbox ? { sandbox: state.sandbox } : {}) })}\n`);
  } else {
    // After `caid clean` the branch the summary names is gone: say so rather than show it as there.
    const gone = repo && !(await repo.branchExists(state.branch)) ? `\nnote: ${state.branch} no longer exists (removed by caid clean, or by hand)` : '';
    const disk = kept ? keptWorktreesNote(kept, state, { dead }) : [`worktrees: ${humanBytes(worktreeBytes)} on disk under ${path.join(state.worktreeRoot, state.runId)}`];
    process.stdout.write(`${formatState(state, { dead })}${gone}\n${disk.join('\n')}\n`);
    if (f.settings) process.stdout.write(`\n${formatSettings(state.settings)}${state.sandbox ? `\n  agent commands ran under: ${state.sandbox}` : ''}\n`);
  }
  return 0;
}
