import { spawnSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '@caid/core';
import { Repo, type LandMode } from '@caid/git';
import { landRun, prBody, prTitle, type Landed } from '@caid/orchestrator';
import { logger } from '@caid/log';
import { shellArg } from './shell-arg.js';

const clog = logger('cli');

export interface LandFlags {
  repo: string;
  into?: string;
  ffOnly?: boolean;
  squash?: boolean;
  merge?: boolean;
  push?: string;
  pr?: boolean;
  partial?: boolean;
  json?: boolean;
}

/** `caid land <runId>`: the run's integration branch into the user's branch, pushed, or as a pull request. */
export async function landCommand(runId: string, f: LandFlags): Promise<number> {
  const modes = [f.ffOnly && 'ff-only', f.squash && 'squash', f.merge && 'merge'].filter(Boolean) as LandMode[];
  if (modes.length > 1) throw new InputError(`choose one of --ff-only, --squash, --merge (got ${modes.map((m) => `--${m}`).join(', ')})`);
  const repo = await Repo.open(path.resolve(f.repo)).catch((err: unknown) => {
    clog.debug({ err, repo: f.repo }, 'cannot open the repository');
    throw new InputError(`${path.resolve(f.repo)} is not a git repository (pass --repo)`);
  });
  // Checked before anything moves, so a missing gh never leaves a half-done landing behind.
  if (f.pr) checkGh(repo.root);
  const push = f.push ?? (f.pr ? 'origin' : undefined);
  // The command a refusal says to run again works from where the user is, and still opens the PR.
  const fromHere = path.relative(repo.root, realpathSync(process.cwd()));
  const rerunFlags = [...(f.pr ? ['--pr'] : []), ...(fromHere.startsWith('..') || path.isAbsolute(fromHere) ? [`--repo ${shellArg(repo.root)}`] : [])];
  const landed = await landRun(repo, runId, { into: f.into, mode: modes[0] ?? 'auto', push, partial: f.partial, skipLocal: Boolean((f.pr || f.push) && !f.into), rerunFlags });
  const pr = f.pr ? openPr(repo.root, landed, f.into ?? landed.state.baseBranch) : undefined;
  if (f.json) process.stdout.write(`${JSON.stringify({ runId, local: landed.local, pushed: landed.pushed, pr })}\n`);
  else report(landed, pr);
  return 0;
}

/** The run summary's landing for `caid run --land`: into the branch the run started from. */
export async function landAfterRun(repoDir: string, runId: string): Promise<Landed> {
  const repo = await Repo.open(path.resolve(repoDir));
  return landRun(repo, runId, { mode: 'auto' });
}

export function report(l: Landed, pr?: string): void {
  const w = (s: string) => process.stderr.write(`${s}\n`);
  if (l.local) {
    const where = l.local.worktree ? ` (checked out in ${l.local.worktree})` : '';
    w(l.local.how === 'up-to-date'
      ? `${l.local.branch} already contains ${l.state.branch}`
      : `${l.local.branch}${where}: ${l.local.how} ${l.local.from.slice(0, 9)} → ${l.local.to.slice(0, 9)}`);
  }
  if (l.pushed) w(`pushed ${l.pushed.branch} to ${l.pushed.remote}`);
  if (pr) w(`pull request: ${pr}`);
}

function checkGh(cwd: string): void {
  const version = spawnSync('gh', ['--version'], { cwd, encoding: 'utf8' });
  if (version.error) {
    throw new InputError('--pr needs the GitHub CLI (gh), which is not installed or not on PATH: install it from https://cli.github.com, or use --push REMOTE and open the pull request yourself');
  }
  const auth = spawnSync('gh', ['auth', 'status'], { cwd, encoding: 'utf8' });
  if (auth.status !== 0) throw new InputError('gh is not logged in to GitHub: run `gh auth login`, then caid land again (nothing was changed)');
}

/** `gh pr create`; its stdout is the pull request's address. */
function openPr(cwd: string, l: Landed, base: string | undefined): string {
  const args = ['pr', 'create', '--head', l.state.branch, '--title', prTitle(l.state), '--body', prBody(l.state), ...(base ? ['--base', base] : [])];
  const r = spawnSync('gh', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new InputError(`gh pr create failed (the branch ${l.state.branch} was pushed; open the pull request by hand): ${(r.stderr || r.stdout || String(r.error)).trim()}`);
  return r.stdout.trim().split('\n').at(-1) ?? '';
}
