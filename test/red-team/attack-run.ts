import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeRepo, runCli, tempDir, type CliResult } from '../cli-harness.js';

export interface AttackSetup {
  dir: string;
  /** A repository with one commit on main (README.md). */
  repo: string;
  /** The worktree root the run gets. */
  wt: string;
  plan: string;
}

/** A fresh temp folder for a red-team run: the repository and `planYaml` as plan.yaml. */
export function attackRepo(planYaml: string): AttackSetup {
  const dir = tempDir();
  const repo = makeRepo(path.join(dir, 'repo'), { 'README.md': '# r\n' });
  const plan = path.join(dir, 'plan.yaml');
  writeFileSync(plan, planYaml);
  return { dir, repo, wt: path.join(dir, 'wt'), plan };
}

/** `caid run --json` of the setup's plan against the scripted model at `modelUrl`, with `flags` (workers, run id, sandbox). */
export function runAttack(s: AttackSetup, modelUrl: string, flags: string[]): Promise<CliResult> {
  return runCli(['run', '--plan', s.plan, '--repo', s.repo, '--model', 'm', '--base-url', modelUrl, '--worktree-root', s.wt, ...flags, '--json']);
}
