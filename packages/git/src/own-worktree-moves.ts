import { basename } from 'node:path';

/**
 * Which worktrees caid itself moved or switched, counted per admin dir (`<commonDir>/worktrees/<name>`),
 * in this process. The isolation check (boundary-snapshot.ts) excuses a change of another
 * worktree's HEAD only when this count moved during the round: caid parks a merged task's worktree
 * (detach, move) and hands it to a later task (move, checkout -b) while other rounds run. Any other
 * switch of another worktree, from one caid branch to another included, is the agent's doing.
 * Counted before and after each change, so a change that straddles a snapshot still shows.
 */
const moves = new Map<string, number>();

export async function ownWorktreeMove<T>(adminDir: string | undefined, change: () => Promise<T>): Promise<T> {
  const note = () => { if (adminDir) moves.set(adminDir, (moves.get(adminDir) ?? 0) + 1); };
  note();
  try {
    return await change();
  } finally {
    note();
  }
}

/** How many times caid moved the worktree with admin dir `adminDir` (see ownWorktreeMove). */
export function ownMoveCount(adminDir: string): number {
  return moves.get(adminDir) ?? 0;
}

/** The admin dir's name, as boundary snapshots name other worktrees. */
export const adminName = (adminDir: string) => basename(adminDir);
