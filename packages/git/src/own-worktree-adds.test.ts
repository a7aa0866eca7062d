import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Repo, boundaryChanges, boundarySnapshot } from './index.js';
import { addedWorktreePath, settledBoundaryChanges } from './boundary-snapshot.js';
import { OWN_ADD_MARK, addedByCaid, beingAdded, ownWorktreeAdd } from './own-worktree-adds.js';
import { git, initRepo, removeTempDirs, tempDir } from './temp-repo.fixture.js';

afterEach(removeTempDirs);

/** A repository with the task worktree `own` whose round the snapshots bracket. */
async function setup() {
  const repo = await Repo.open(initRepo());
  const root = join(tempDir(), 'wt', 'r');
  const own = await repo.addWorktree(join(root, 'own'), { start: 'main', newBranch: 'caid/r/tasks/own' });
  return { repo, root, own: own.path, before: await boundarySnapshot(repo, own.path) };
}

describe('worktrees added during a round', () => {
  it('caid\'s own adds (a task worktree, a detached integration worktree) are no breach', async () => {
    const { repo, root, own, before } = await setup();
    await repo.addWorktree(join(root, 'other'), { start: 'main', newBranch: 'caid/r/tasks/other' });
    const integration = await repo.addWorktree(join(root, '_integration'), { start: 'main', detach: true });
    expect(addedByCaid(repo.recordedGitDir(integration.path)!)).toBe(true);
    expect(boundaryChanges(before, await boundarySnapshot(repo, own))).toEqual([]);
  });

  it('an add of caid\'s that git has finished but caid has not marked yet is no breach either', async () => {
    const { repo, root, own, before } = await setup();
    const at = join(root, 'late');
    await ownWorktreeAdd(at, (p) => repo.recordedGitDir(p), async () => {
      git(own, 'worktree', 'add', '-q', '--detach', at, 'HEAD');
      expect(addedByCaid(repo.recordedGitDir(at)!)).toBe(true);
      expect(boundaryChanges(before, await boundarySnapshot(repo, own))).toEqual([]);
    });
    expect(addedByCaid(repo.recordedGitDir(at)!)).toBe(true);
  });

  it('names a worktree added with plain git (beside the task\'s, or inside it) by its path', async () => {
    const { repo, root, own, before } = await setup();
    git(own, 'worktree', 'add', '-q', '--detach', join(root, 'planted'), 'HEAD');
    git(own, 'worktree', 'add', '-q', '--detach', join(own, 'nested'), 'HEAD');
    const changed = boundaryChanges(before, await boundarySnapshot(repo, own));
    expect(changed).toEqual([`a new worktree at ${join(root, 'planted')}`, `a new worktree at ${join(own, 'nested')}`].sort());
    expect(changed.map(addedWorktreePath)).toContain(join(root, 'planted'));
  });

  it('leaves a worktree another process is still adding (all-zero HEAD, or git\'s "initializing" lock)', async () => {
    const { repo, root, own, before } = await setup();
    git(own, 'worktree', 'add', '-q', '--detach', join(root, 'elsewhere'), 'HEAD');
    const admin = repo.recordedGitDir(join(root, 'elsewhere'))!;
    expect(addedByCaid(admin)).toBe(false);
    writeFileSync(join(admin, 'locked'), 'initializing\n');
    expect(beingAdded(admin)).toBe(true);
    expect(boundaryChanges(before, await boundarySnapshot(repo, own))).toEqual([]);
    writeFileSync(join(admin, 'locked'), 'kept for me\n');
    expect(beingAdded(admin)).toBe(false);
    expect(boundaryChanges(before, await boundarySnapshot(repo, own))).toEqual([`a new worktree at ${join(root, 'elsewhere')}`]);
    // Marked by another caid process once its add was done.
    writeFileSync(join(admin, OWN_ADD_MARK), '1\n');
    expect(boundaryChanges(before, await boundarySnapshot(repo, own))).toEqual([]);
  });

  it('waits out an admin dir that is half made or half removed (caid\'s own add or remove in flight), not an agent\'s planted worktree', async () => {
    const { repo, root, own, before } = await setup();
    // git's add makes the admin dir before it writes anything into it: a bare look sees a worktree "at (unknown path)".
    const admin = join(repo.commonDir, 'worktrees', 'inflight');
    mkdirSync(admin);
    expect(boundaryChanges(before, await boundarySnapshot(repo, own))).toEqual(['a new worktree at (unknown path)']);
    setTimeout(() => rmSync(admin, { recursive: true }), 150);
    expect(await settledBoundaryChanges(repo, own, before, 100)).toEqual([]);
    git(own, 'worktree', 'add', '-q', '--detach', join(root, 'planted'), 'HEAD');
    expect(await settledBoundaryChanges(repo, own, before, 50)).toEqual([`a new worktree at ${join(root, 'planted')}`]);
  });

  // Attacks on the settling itself: what an agent leaves must still be reported, however it is dressed.
  it('still names an admin dir planted half made (an agent imitating git mid-add): settling gives up and reports it', async () => {
    const { repo, own, before } = await setup();
    mkdirSync(join(repo.commonDir, 'worktrees', 'forever-adding'));
    expect(await settledBoundaryChanges(repo, own, before, 20, 5)).toEqual(['a new worktree at (unknown path)']);
  });

  it('still reports a change that never settles (a leftover process flipping the repository config back and forth)', async () => {
    const { repo, own, before } = await setup();
    const config = join(repo.commonDir, 'config');
    const original = readFileSync(config, 'utf8');
    let flip = false;
    const write = () => { flip = !flip; writeFileSync(config, flip ? `${original}[core]\n\tfsmonitor = /tmp/x\n` : `${original}[alias]\n\tx = y\n`); };
    write();
    const flipper = setInterval(write, 15);
    try {
      expect(await settledBoundaryChanges(repo, own, before, 40, 6)).toContain('the repository config');
    } finally {
      clearInterval(flipper);
    }
  });
});
