import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeRepo, runCli, tempDir } from './cli-harness.js';

/** A repository with the given files plus a plan file, and where its worktrees go. */
export function setup(plan: string, files: Record<string, string> = {}) {
  const dir = tempDir();
  const repo = makeRepo(path.join(dir, 'repo'), { 'README.md': '# r\n', ...files });
  writeFileSync(path.join(dir, 'plan.yaml'), plan);
  return { dir, repo, plan: path.join(dir, 'plan.yaml'), wt: path.join(dir, 'wt') };
}
export const runIn = (s: ReturnType<typeof setup>, args: string[], env: Record<string, string> = {}) =>
  runCli(['run', '--plan', s.plan, '--repo', s.repo, '--worktree-root', s.wt, '--json', ...args], { env }).then((r) => ({ ...r, summary: r.stdout ? JSON.parse(r.stdout) : undefined }));
export const statusOf = (summary: { tasks: { id: string; status: string }[] }) => Object.fromEntries(summary.tasks.map((t) => [t.id, t.status]));
export const runFolder = (repo: string) => path.join(repo, '.caid/runs', readdirSync(path.join(repo, '.caid/runs'))[0]!);
