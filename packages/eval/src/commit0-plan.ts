import type { Plan } from '@caid/core';
import { importCycles, importGraph, type ImportGraph } from '@caid/planner';
import { fileAt, type Commit0Library } from './commit0-library.js';

export const EVAL_VARIANTS = ['clean', 'wrong-first', 'shared-file'] as const;
export type EvalVariant = (typeof EVAL_VARIANTS)[number];

/**
 * Which dependency edges the plan carries: `imports` (default) is the import graph between stubbed
 * files, the plan a user gets from caid's planner; `none` drops them all, so every task is ready at
 * once and the gate's "waiting on <task>" attribution alone keeps a task whose tests fail in another
 * task's stub from being sent back. The oracle writes the reference either way, so it needs no edge.
 */
export const PLAN_EDGES = ['imports', 'none'] as const;
export type PlanEdges = (typeof PLAN_EDGES)[number];

/** The file every task of the shared-file variant appends a line to (not part of the library). */
export const SHARED_FILE = 'CAID_EVAL_NOTES.md';

export interface Commit0Task {
  id: string;
  files: string[];
}

/**
 * Stubbed files each import, directly or through non-stubbed modules other than package
 * `__init__`s (which import everything and would tie every file to every other).
 */
export function stubDependencies(stubbed: string[], graph: ImportGraph): ImportGraph {
  const isStub = new Set(stubbed);
  const deps: ImportGraph = new Map();
  for (const f of stubbed) {
    const found = new Set<string>();
    const seen = new Set<string>([f]);
    const todo = [...(graph.get(f) ?? [])];
    while (todo.length) {
      const g = todo.pop()!;
      if (seen.has(g)) continue;
      seen.add(g);
      if (isStub.has(g)) found.add(g);
      else if (!g.endsWith('__init__.py')) todo.push(...(graph.get(g) ?? []));
    }
    deps.set(f, [...found].sort());
  }
  return deps;
}

const taskId = (files: string[], taken: Set<string>) => {
  const stem = files[0]!.replace(/\.py$/, '').replace(/^src\//, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  let id = `impl-${stem}`.slice(0, 44).replace(/-+$/, '');
  for (let n = 2; taken.has(id); n++) id = `${id.slice(0, 40)}-${n}`;
  taken.add(id);
  return id;
};

/** One task per stubbed file (files that import each other in a cycle share one), import edges as dependencies. */
export function commit0Plan(lib: Commit0Library, o: { variant: EvalVariant; verify: string; edges?: PlanEdges }): { plan: Plan; tasks: Commit0Task[] } {
  const graph = importGraph(lib.pythonFiles, (f) => fileAt(lib, lib.referenceCommit, f));
  const deps = stubDependencies(lib.stubbed, graph);
  const groups = importCycles(deps);
  const groupOf = new Map<string, string[]>();
  for (const f of lib.stubbed) groupOf.set(f, groups.find((g) => g.includes(f)) ?? [f]);
  const taken = new Set<string>();
  const idOf = new Map<string[], string>();
  for (const g of new Set(groupOf.values())) idOf.set(g, taskId(g, taken));
  const tasks = [...idOf].map(([files, id]) => {
    const dependsOn = o.edges === 'none' ? [] : [...new Set(files.flatMap((f) => deps.get(f) ?? []).map((d) => idOf.get(groupOf.get(d)!)!))].filter((d) => d !== id).sort();
    const shared = o.variant === 'shared-file' ? [SHARED_FILE] : [];
    return {
      id, title: `implement ${files.join(', ')}`, dependsOn, files: [...files, ...shared],
      prompt: [
        `Implement ${files.join(', ')} of the ${lib.name} library: replace every stubbed body with a working implementation.`,
        `The library's own tests (${lib.testDir}) must pass once every file is implemented.`,
        ...(shared.length ? [`Also add one line about your change to ${SHARED_FILE}.`] : []),
      ].join('\n'),
    };
  });
  return { plan: { goal: `Implement the ${lib.name} library (Commit0) from its stubs`, verify: o.verify, tasks }, tasks: tasks.map((t) => ({ id: t.id, files: t.files })) };
}
