/**
 * Worktrees about to be parked, per spares folder. A task that finds no spare may wait for one of
 * these (a merge that has just finished parks its task's worktree a moment later) rather than
 * check out every file, but never longer than a fresh checkout took last time: on a small
 * repository that is a few milliseconds, on a large one seconds.
 */
const expected = new Map<string, Set<Promise<void>>>();

/** Announces a worktree that will be parked in `sparesDir`; call the result once it is (or will not be). */
export function expectSpare(sparesDir: string): () => void {
  let settle!: () => void;
  const p = new Promise<void>((resolve) => (settle = resolve));
  const set = expected.get(sparesDir) ?? new Set();
  expected.set(sparesDir, set.add(p));
  return () => {
    set.delete(p);
    if (!set.size && expected.get(sparesDir) === set) expected.delete(sparesDir);
    settle();
  };
}

/** Waits until an announced worktree settles, at most `maxMs`: true if one did. */
export async function awaitExpectedSpare(sparesDir: string, maxMs: number): Promise<boolean> {
  const set = expected.get(sparesDir);
  if (!set?.size || !(maxMs > 0)) return false;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => { timer = setTimeout(() => resolve(false), maxMs); });
  const settled = await Promise.race([Promise.race(set).then(() => true), timeout]);
  clearTimeout(timer);
  return settled;
}
