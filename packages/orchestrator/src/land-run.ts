import { existsSync } from 'node:fs';
import path from 'node:path';
import { InputError, RunError, type RunState } from '@caid/core';
import { GitError, landInto, pushRefs, remoteNames, userIdentity, type LandMode, type LandOutcome, type Repo } from '@caid/git';
import { loadRunState } from './run-store.js';
import { isAlive, readOwner } from './run-lock.js';

export interface LandOptions {
  /** The user's branch to bring the result into; default: the branch the run started from. */
  into?: string;
  mode: LandMode;
  /** Push the integration branch to this remote. */
  push?: string;
  /** Land a run that did not succeed (its integration branch holds only verified merges). */
  partial?: boolean;
  /** Only push (for a pull request): leave every local branch as it is. */
  skipLocal?: boolean;
  /** What the caller adds to the command a refusal says to run again (the CLI's `--pr`, `--repo DIR`). */
  rerunFlags?: string[];
}

export interface Landed {
  state: RunState;
  local?: Extract<LandOutcome, { ok: true }>;
  pushed?: { remote: string; branch: string };
}

/**
 * `caid land`: the run's integration branch into the user's branch (see landInto for why that
 * never loses anything), then optionally pushed. Every refusal is an InputError that changed nothing.
 */
export async function landRun(repo: Repo, runId: string, o: LandOptions): Promise<Landed> {
  const state = loadRunState(repo.root, runId);
  const owner = readOwner(repo.root, runId);
  if (owner && owner.pid !== process.pid && isAlive(owner)) throw new InputError(`run ${runId} is still going; land it when it has finished`);
  if (state.status !== 'succeeded' && !o.partial) {
    throw new InputError(`run ${runId} ${state.status === 'running' ? 'has not finished' : `ended ${state.status}`}; its integration branch holds only verified merges: land them anyway with --partial`);
  }
  const head = await repo.branchHead(state.branch);
  if (!head) throw new InputError(`the integration branch ${state.branch} of run ${runId} no longer exists (removed by \`caid clean\`?)`);
  // Checked before anything moves: a mistyped remote (or a repository without `origin` for --pr)
  // is bad input that changed nothing, not a failed push after a local landing.
  if (o.push) await checkRemote(repo, o.push);
  const landed: Landed = { state };
  if (!o.skipLocal) {
    const into = o.into ?? state.baseBranch;
    if (!into) throw new InputError(`run ${runId} did not start from a branch (base ${state.base}); name one with --into BRANCH`);
    const out = await landInto(repo, into, head, { mode: o.mode, message: landMessage(state, o.mode), identity: await userIdentity(repo) });
    if (!out.ok) throw new InputError(refusal(out, state.branch, landAgain(runId, o)));
    landed.local = out;
  }
  if (o.push) {
    await pushRefs(repo, o.push, [`refs/heads/${state.branch}:refs/heads/${state.branch}`]).catch((e: unknown) => {
      if (!(e instanceof GitError)) throw e;
      // The remote refused or could not be reached (auth, network, a hook): git's own words, no stack.
      const done = landed.local && landed.local.how !== 'up-to-date' ? ` (${landed.local.branch} was landed locally: ${landed.local.how})` : ' (nothing was changed locally)';
      throw new RunError(`pushing ${state.branch} to ${o.push} failed${done}: ${gitSaid(e)}`);
    });
    landed.pushed = { remote: o.push, branch: state.branch };
  }
  return landed;
}

/**
 * The landing commit's message: a subject cut to one short line (a goal can be pages long; git
 * tools show the subject everywhere), then the goal in full when it did not fit.
 */
function landMessage(state: RunState, mode: LandMode): string {
  const first = state.goal.split('\n').map((l) => l.trim()).find(Boolean) ?? '';
  const head = `${mode === 'squash' ? '' : 'Merge '}caid run ${state.runId}`;
  const room = 72 - head.length - 2;
  const cut = first.length > room;
  const subject = `${head}: ${cut ? `${first.slice(0, Math.max(room - 3, 10))}...` : first}`;
  return cut || state.goal.trim() !== first ? `${subject}\n\n${state.goal.trim()}\n` : subject;
}

async function checkRemote(repo: Repo, remote: string): Promise<void> {
  // A URL or a path to a repository is a push target too; only a bare name must be a configured remote.
  if (/[:/]/.test(remote) || existsSync(path.resolve(repo.root, remote))) return;
  const names = await remoteNames(repo);
  if (names.includes(remote)) return;
  throw new InputError(`no remote "${remote}" in ${repo.root} (${names.length ? `its remotes: ${names.join(', ')}` : 'it has none'}); add it with \`git remote add ${remote} URL\` or name another with --push REMOTE; nothing was changed`);
}

const gitSaid = (e: GitError) => e.message.replace(/^git .*? failed \(exit \d+\):\s*/s, '').trim();

/** The command to run again, with the options that shape the landing (`caid land X` alone would land another way). */
function landAgain(runId: string, o: LandOptions): string {
  const flags = [o.into && `--into ${o.into}`, o.mode !== 'auto' && `--${o.mode}`, o.partial && '--partial', o.push && `--push ${o.push}`, ...(o.rerunFlags ?? [])].filter(Boolean);
  return ['caid land', runId, ...flags].join(' ');
}

function refusal(out: Extract<LandOutcome, { ok: false }>, from: string, again: string): string {
  const list = out.paths.map((p) => `  ${p}`).join('\n');
  switch (out.reason) {
    case 'no-branch': return `branch ${out.branch} does not exist; name an existing branch with --into`;
    case 'not-fast-forward': return `${out.branch} has commits that ${from} does not: it cannot be fast-forwarded; land with --merge or --squash`;
    case 'conflict': return `${from} conflicts with ${out.branch} in:\n${list}\nnothing was changed; merge it yourself (git merge ${from}) or rebase your branch first`;
    case 'dirty': return `landing would touch files with uncommitted changes in your checkout:\n${list}\nnothing was changed; commit them or stash them (\`git stash -u\`: a plain git stash leaves untracked files where they are), then run \`${again}\` again`;
  }
}
