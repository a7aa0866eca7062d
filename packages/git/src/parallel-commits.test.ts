import { writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { Repo, type Worktree } from './index.js';
import { git, initRepo, removeTempDirs, tempDir } from './temp-repo.fixture.js';

afterEach(removeTempDirs);

const WORKTREES = 8;
const ROUNDS = 4;
const FILES = 3;

async function writeRound(wt: Worktree, round: string): Promise<void> {
  await mkdir(join(wt.path, round), { recursive: true });
  await Promise.all(Array.from({ length: FILES }, (_, f) => writeFile(join(wt.path, round, `f${f}.txt`), `${round} ${f}\n`)));
}

it('8 worktrees commit in parallel with no index.lock errors and every commit present', async () => {
  const dir = initRepo();
  const repo = await Repo.open(dir);
  const base = (await repo.resolve('main'))!;
  const root = tempDir();
  const errors: unknown[] = [];
  const note = <T>(p: Promise<T>) => p.catch((e: unknown) => { errors.push(e); throw e; });

  // worktree creation is itself concurrent: it goes through the repository queue
  const wts = await Promise.all(Array.from({ length: WORKTREES }, (_, i) =>
    note(repo.addWorktree(join(root, `run-w${i}`), { start: base, newBranch: `caid/run/tasks/w${i}` }))));

  const shas = await Promise.all(wts.map(async (wt, i) => {
    const own: string[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      await writeRound(wt, `seq${r}`);
      // readers fired alongside the commit refresh the same index
      const [sha] = await Promise.all([note(wt.commitAll(`w${i} round ${r}`)), note(wt.status()), note(wt.head())]);
      own.push(sha!);
    }
    // several commits issued at once in the same worktree, each after writing its own files
    const burst = await Promise.all(Array.from({ length: ROUNDS }, async (_, r) => {
      await writeRound(wt, `burst${r}`);
      return note(wt.commitAll(`w${i} burst ${r}`));
    }));
    return { own, burst: burst.filter((s): s is string => s !== null) };
  }));

  expect(errors).toEqual([]);
  for (const [i, wt] of wts.entries()) {
    const { own, burst } = shas[i]!;
    expect(own.every((s) => /^[0-9a-f]{40}$/.test(s))).toBe(true);
    expect(burst.length).toBeGreaterThan(0);
    const log = await repo.log(`${base}..caid/run/tasks/w${i}`);
    expect(log.map((c) => c.sha).sort()).toEqual([...own, ...burst].sort());
    expect(await wt.status()).toEqual({ clean: true, changed: [], conflicted: [] });
    const tracked = git(wt.path, 'ls-files').split('\n').filter((f) => f !== 'README.md');
    expect(tracked).toHaveLength(2 * ROUNDS * FILES);
  }
  expect(await repo.listWorktrees()).toHaveLength(WORKTREES + 1);
  await Promise.all(wts.map((wt) => repo.removeWorktree(wt.path)));
  expect(await repo.listWorktrees()).toHaveLength(1);
});
