import path from 'node:path';
import type { RunState } from '@caid/core';
import type { Repo } from '@caid/git';
import { keptWorktrees, type KeptWorktrees } from '@caid/orchestrator';
import { logger } from '@caid/log';
import { repoFlag } from './shell-arg.js';

const clog = logger('cli');

/** Roughly: one decimal, in the largest unit under 1024. */
export function humanBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return i === 0 ? `${n} B` : `${n.toFixed(1)} ${units[i]}`;
}

/**
 * What a run leaves on disk, for `caid status` and the end of a run: how many worktrees are kept,
 * where, how much disk they take, and the command that removes them once the user is done.
 */
export function keptWorktreesNote(k: KeptWorktrees, s: RunState, o: { dead?: boolean } = {}): string[] {
  const size = humanBytes(k.bytes);
  const n = k.paths.length;
  const finished = s.status !== 'running' && s.status !== 'pending';
  if (!finished) return [`worktrees: ${n} under ${k.dir}, ${size} on disk${o.dead ? `; \`caid resume ${s.runId}\` continues in them` : ''}`];
  if (!n) return [`worktrees: none kept${k.bytes ? ` (${size} left under ${k.dir})` : ''}`];
  const names = k.paths.map((p) => path.relative(k.dir, p)).join(', ');
  const why = s.status === 'cancelled' ? `\`caid resume ${s.runId}\` continues in them` : 'the work of tasks that did not merge, to inspect';
  const where = repoFlag(s.repo);
  const force = k.dirty.length ? `; add --force for the ${k.dirty.length === 1 ? 'one' : k.dirty.length} with uncommitted changes` : '';
  return [
    `kept worktrees: ${n} (${names}) under ${k.dir}, ${size} on disk: ${why}`,
    `remove them when done: caid clean ${s.runId}${where} --yes   (without --yes it only lists what it would remove${force})`,
  ];
}

/** The end of a run's summary: the kept worktrees' lines, when the run keeps any (nothing otherwise). */
export async function keptAtEnd(repo: Repo, s: RunState): Promise<string> {
  // Only a note: a git failure here must not change how the run ends.
  const k = await keptWorktrees(repo, s).catch(clog.dropped('kept worktrees unreadable: no note at the end of the run', { runId: s.runId }));
  return k?.paths.length ? `${keptWorktreesNote(k, s).join('\n')}\n` : '';
}
