import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify as toYaml } from 'yaml';
import { InputError, type RunSettingsInput } from '@caid/core';
import { loadConfig, loadPlan, openTarget } from '@caid/orchestrator';
import { modelFromSettings } from './model-settings.js';
import { planFromGoal } from './plan-from-goal.js';
import { onInterrupt } from './interrupt.js';
import { planStats, renderPlan, type PlanFormat } from './render-plan.js';
import { resolveSettings } from './resolve-settings.js';
import { isUntouchedStarter } from './starter-plan.js';
import { shellArg } from './shell-arg.js';

export interface PlanFlags {
  given: RunSettingsInput;
  repo: string;
  config?: string;
  out?: string;
  force?: boolean;
  show?: string;
  format: string;
  verify?: string;
}

const FORMATS = ['text', 'mermaid', 'dot'];

/** `caid plan "<goal>"` writes a plan file and draws it; `caid plan --show FILE` only draws. */
export async function planCommand(goal: string | undefined, f: PlanFlags): Promise<number> {
  if (!FORMATS.includes(f.format)) throw new InputError(`--format takes one of ${FORMATS.join(', ')}, not "${f.format}"`);
  const format = f.format as PlanFormat;
  const print = (plan: Parameters<typeof renderPlan>[0]) => {
    process.stdout.write(renderPlan(plan, format));
    // Mermaid and DOT stay parseable on stdout; the numbers go to stderr.
    if (format !== 'text') process.stderr.write(`${planStats(plan)}\n`);
  };
  if (f.show) {
    if (goal) throw new InputError('pass either a goal or --show FILE, not both');
    print(await loadPlan(f.show));
    return 0;
  }
  if (!goal?.trim()) throw new InputError('pass a goal (caid plan "add a --json flag to the CLI") or --show FILE');
  const { repo } = await openTarget(f.repo, 'HEAD');
  // The default is where `caid init` writes the starter and `caid run --plan plan.yaml` looks: the
  // repository's root, also from a sub-folder or with --repo (it was the current folder).
  const out = f.out ? path.resolve(f.out) : path.join(repo.root, 'plan.yaml');
  // `caid init` wrote a starter plan.yaml; while it is exactly that starter, the planner's plan replaces it.
  const starter = existsSync(out) && !f.force && isUntouchedStarter(out);
  if (existsSync(out) && !f.force && !starter) throw new InputError(`${out} already exists (and is not caid init's unedited starter): pass --out FILE, or --force to overwrite it`);
  // The same settings as `caid run` (config file included), so the planner here is the run's planner.
  const settings = resolveSettings(f.given, loadConfig(repo.root, f.config).config, process.env, { repoDir: repo.root });
  const { maxTasks, maxRepairs } = settings.planner;
  const model = modelFromSettings(settings, 'planner');
  // Ctrl-C stops the planner and says so (exit 130, nothing written), as it does for `caid run`.
  const interrupt = onInterrupt('stopping the planner; no plan is written');
  const plan = await planFromGoal(goal, {
    model, repoDir: repo.root, maxTasks, maxRepairs, verify: f.verify, signal: interrupt.signal, say: (l) => process.stderr.write(`${l}\n`),
  }).finally(() => interrupt.dispose());
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, out.endsWith('.json') ? `${JSON.stringify(plan, null, 2)}\n` : toYaml(plan));
  print(plan);
  process.stderr.write(`plan written to ${out}${starter ? ' (it replaced caid init\'s unedited starter plan)' : ''}; run it with: caid run --plan ${shellArg(out)} --repo ${shellArg(repo.root)}\n`);
  return 0;
}
