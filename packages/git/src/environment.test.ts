import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { Repo } from './index.js';
import { git, initRepo, read, removeTempDirs, tempDir, write } from './temp-repo.fixture.js';

afterEach(removeTempDirs);

it('ambient GIT_* variables (GIT_SSL_CAINFO, GIT_DIR, …) neither throw nor redirect git', async () => {
  const dir = initRepo();
  const decoy = initRepo();
  const ambient: Record<string, string> = {
    GIT_SSL_CAINFO: '/nonexistent/ca.pem', GIT_DIR: join(decoy, '.git'), GIT_WORK_TREE: decoy,
    GIT_INDEX_FILE: join(decoy, '.git', 'index'), GIT_AUTHOR_NAME: 'ambient', GIT_COMMITTER_EMAIL: 'ambient@x',
    EDITOR: 'false', GIT_EDITOR: 'false',
  };
  const saved = Object.keys(ambient).map((k) => [k, process.env[k]] as const);
  Object.assign(process.env, ambient);
  try {
    const repo = await Repo.open(dir, { identity: { name: 'Agent A', email: 'a@caid.test' } });
    expect(repo.root).toBe(dir);
    const wt = await repo.addWorktree(join(tempDir(), 'w'), { start: 'main', newBranch: 'topic' });
    write(wt.path, 'a.txt', 'a\n');
    const sha = (await wt.commitAll('from agent'))!;
    const integ = await repo.addWorktree(join(tempDir(), 'i'), { start: 'main', detach: true });
    const r = await integ.merge('topic', 'merge topic');
    expect(r.ok).toBe(true);
    expect(await repo.isAncestor(sha, await integ.head())).toBe(true);
    await repo.removeWorktree(wt.path);
  } finally {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  expect(git(dir, 'log', '-1', '--format=%an <%ae>|%cn <%ce>', 'topic')).toBe('Agent A <a@caid.test>|Agent A <a@caid.test>');
  expect(git(decoy, 'log', '--format=%s')).toBe('initial');
  expect(git(decoy, 'branch', '--list', 'topic')).toBe('');
});

it("leaves the user's main work tree untouched: branch, uncommitted edit, staged edit, untracked file", async () => {
  const dir = initRepo();
  git(dir, 'checkout', '-q', '-b', 'user-work');
  write(dir, 'shared.txt', 'one\ntwo\n');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'user commit');
  write(dir, 'README.md', '# edited by the user, not committed\n');
  write(dir, 'staged.txt', 'staged\n');
  git(dir, 'add', 'staged.txt');
  write(dir, 'notes.txt', 'untracked\n');
  const snapshot = () => ({
    branch: git(dir, 'symbolic-ref', 'HEAD'),
    refs: git(dir, 'for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads/main', 'refs/heads/user-work'),
    status: git(dir, 'status', '--porcelain=v1', '--untracked-files=all'),
    diff: git(dir, 'diff'),
    cached: git(dir, 'diff', '--cached'),
    files: [read(dir, 'README.md'), read(dir, 'notes.txt'), read(dir, 'staged.txt'), read(dir, 'shared.txt')],
  });
  const before = snapshot();

  const repo = await Repo.open(dir);
  await repo.excludeLocally('.caid/');
  const base = (await repo.resolve('user-work'))!;
  await repo.createBranch('caid/r/integration', base);
  const wts = tempDir();
  const integ = await repo.addWorktree(join(wts, 'integration'), { start: base, detach: true });
  const a = await repo.addWorktree(join(wts, 'a'), { start: base, newBranch: 'caid/r/tasks/a' });
  const b = await repo.addWorktree(join(wts, 'b'), { start: base, newBranch: 'caid/r/tasks/b' });
  write(a.path, 'shared.txt', 'one\nA\n');
  write(a.path, 'notes.txt', 'a task file named like the user’s untracked one\n');
  await a.commitAll('task a');
  write(b.path, 'shared.txt', 'one\nB\n');
  await b.commitAll('task b');
  expect((await integ.merge('caid/r/tasks/a', 'merge a')).ok).toBe(true);
  const conflict = await integ.merge('caid/r/tasks/b', 'merge b');
  expect(conflict).toEqual({ ok: false, conflicts: ['shared.txt'] });
  await integ.abortMerge();
  const integHead = await integ.head();
  expect((await b.merge(integHead, 'merge integration into b')).ok).toBe(false);
  write(b.path, 'shared.txt', 'one\nA+B\n');
  await b.commitAll('resolve');
  expect((await integ.merge('caid/r/tasks/b', 'merge b')).ok).toBe(true);
  await repo.updateBranch('caid/r/integration', await integ.head(), base);
  await integ.diffStat(base, await integ.head());
  await integ.resetHard(base);
  for (const wt of [integ, a, b]) await repo.removeWorktree(wt.path, { force: true });
  await repo.pruneWorktrees();

  expect(snapshot()).toEqual(before);
  expect(existsSync(join(dir, '.git', 'MERGE_HEAD'))).toBe(false);
});
