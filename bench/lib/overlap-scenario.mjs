// Overlapping tasks for the early-conflict-warning measurements (bench/conflict-warnings.mjs and
// test/conflict-warnings.e2e.test.ts): pair i is a quick task `fast-i` and a slow one `slow-i`
// that both add an entry right after 'base-i' in the same list of src/registry.mjs. The fast task
// merges while the slow one still works. Without a warning the slow one finishes and gets a
// conflict round; told of the coming conflict, its scripted agent does what the warning asks:
// reads the merged version and moves its entry clear of the lines the fast task changed.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { when } from '@caid/llm/testing';
import { resolveByUnion } from '../../scripts/demo/demo-model.mjs';

const block = (i) => `export const names${i} = [\n  'base-${i}',\n];\n`;
const call = (name, args) => ({ toolCalls: [{ name, arguments: args }] });
const taskOf = (c) => /^# Task ([a-z0-9-]+)/m.exec(c.firstUser)?.[1] ?? '';

/** The plan of `pairs` overlapping pairs, all independent, so they run at once. */
export function overlapPlan(pairs) {
  const tasks = [];
  for (let i = 1; i <= pairs; i++) {
    for (const kind of ['fast', 'slow']) {
      tasks.push({ id: `${kind}-${i}`, title: `${kind} entry ${i}`, files: ['src/registry.mjs'],
        prompt: `Add the entry '${kind}-${i}' to the list names${i} in src/registry.mjs.` });
    }
  }
  return { goal: 'Register the new entries.', verify: 'node src/registry.mjs', tasks };
}

/** A repository (one commit on main) with the registry, and the plan file, in `dir`. */
export function createOverlapRepo(dir, pairs) {
  const repo = path.join(dir, 'overlap');
  mkdirSync(path.join(repo, 'src'), { recursive: true });
  // A comment line between blocks: each pair's edits stay apart from every other pair's.
  writeFileSync(path.join(repo, 'src/registry.mjs'), Array.from({ length: pairs }, (_, k) => block(k + 1)).join('// --\n'));
  const git = (...args) => execFileSync('git', args, { cwd: repo, stdio: 'pipe', env: { PATH: process.env.PATH, HOME: process.env.HOME ?? '/tmp' } });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('-c', 'user.name=User', '-c', 'user.email=user@example.com', 'commit', '-q', '-m', 'initial');
  const planFile = path.join(dir, 'overlap-plan.json');
  writeFileSync(planFile, `${JSON.stringify(overlapPlan(pairs), null, 2)}\n`);
  return { repo, planFile };
}

/** `slowSteps` busy steps of `stepMs` each before the slow tasks finish. */
export function overlapRules({ slowSteps = 8, stepMs = 250 } = {}) {
  return [
    {
      name: 'resolve-conflict',
      when: when.lastUserIncludes('merge conflict'),
      reply: (c) => [
        call('read_file', { path: 'src/registry.mjs' }),
        call('write_file', { path: 'src/registry.mjs', content: resolveByUnion(c.lastToolResult ?? '') }),
        call('finish', { summary: 'resolved the conflict, keeping both entries' }),
      ][Math.min(c.stepInRound, 2)],
    },
    {
      name: 'adapt-to-warning',
      when: when.lastUserIncludes('CONFLICT WARNING'),
      reply: (c) => {
        const i = taskOf(c).split('-')[1];
        const sha = /commit ([0-9a-f]{7,40})/.exec(c.lastUser)?.[1] ?? 'HEAD';
        return [
          call('run', { command: `git show ${sha}:src/registry.mjs` }),
          call('edit_file', { path: 'src/registry.mjs', old: `  'base-${i}',\n  'slow-${i}',\n`, new: `  'slow-${i}',\n  'base-${i}',\n` }),
          call('finish', { summary: `moved slow-${i} clear of the merged change` }),
        ][Math.min(c.stepInRound, 2)];
      },
    },
    {
      name: 'work',
      when: (c) => /^(fast|slow)-\d+$/.test(taskOf(c)),
      reply: (c) => {
        const [kind, i] = taskOf(c).split('-');
        const edit = call('edit_file', { path: 'src/registry.mjs', old: `  'base-${i}',\n`, new: `  'base-${i}',\n  '${kind}-${i}',\n` });
        const busy = kind === 'slow' ? Array.from({ length: slowSteps }, (_, k) => call('run', { command: `echo checking ${k}` })) : [];
        const steps = [edit, ...busy, call('finish', { summary: `added ${kind}-${i}` })];
        return { ...steps[Math.min(c.stepInRound, steps.length - 1)], delayMs: kind === 'slow' ? stepMs : 20 };
      },
    },
  ];
}
