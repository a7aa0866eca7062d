// Tail of each key's chain; an entry is dropped once its chain drains so keys do not accumulate.
const tails = new Map<string, Promise<void>>();

/**
 * Runs `fn` after every earlier call with the same key has settled, so operations on one
 * repository (or one worktree) never overlap, even across Repo instances in this process.
 * `fn` must not call `serially` with its own key: that would wait on itself.
 */
export function serially<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const prev = tails.get(key) ?? Promise.resolve();
  const result = prev.then(fn);
  // expected: the caller awaits `result` and gets the error; the tail only lets the next in line start.
  const tail = result.then(() => undefined, () => undefined);
  tails.set(key, tail);
  void tail.then(() => {
    if (tails.get(key) === tail) tails.delete(key);
  });
  return result;
}
