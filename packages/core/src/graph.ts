import graphology from 'graphology';
import { topologicalSort } from 'graphology-dag';
import type { Plan } from './plan.js';

const { DirectedGraph } = graphology;
export type TaskGraph = InstanceType<typeof DirectedGraph>;

/** Edge u -> v means "v depends on u". Call only on a plan that passed `planProblems`. */
export function buildGraph(plan: Plan): TaskGraph {
  const g = new DirectedGraph();
  for (const t of plan.tasks) g.addNode(t.id);
  for (const t of plan.tasks) for (const d of t.dependsOn) g.mergeEdge(d, t.id);
  return g;
}

/** Every structural problem of a plan, as human sentences; empty when the plan is sound. */
export function planProblems(plan: Plan): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  for (const t of plan.tasks) {
    if (ids.has(t.id)) problems.push(`duplicate task id "${t.id}"`);
    ids.add(t.id);
  }
  for (const t of plan.tasks) {
    for (const d of t.dependsOn) {
      if (d === t.id) problems.push(`task "${t.id}" depends on itself`);
      else if (!ids.has(d)) problems.push(`task "${t.id}" depends on unknown task "${d}"`);
    }
  }
  if (problems.length) return problems;
  const cycle = findCycle(plan);
  if (cycle) problems.push(`dependency cycle: ${cycle.join(' -> ')}`);
  return problems;
}

/** One cycle as a closed walk over dependencies (a -> b means a depends on b), or null. */
export function findCycle(plan: Plan): string[] | null {
  const deps = new Map(plan.tasks.map((t) => [t.id, t.dependsOn]));
  const colour = new Map<string, 'grey' | 'black'>();
  const stack: string[] = [];
  const visit = (id: string): string[] | null => {
    colour.set(id, 'grey');
    stack.push(id);
    for (const d of deps.get(id) ?? []) {
      if (colour.get(d) === 'grey') return [...stack.slice(stack.indexOf(d)), d];
      if (!colour.has(d)) {
        const found = visit(d);
        if (found) return found;
      }
    }
    stack.pop();
    colour.set(id, 'black');
    return null;
  };
  for (const t of plan.tasks) {
    if (!colour.has(t.id)) {
      const found = visit(t.id);
      if (found) return found;
    }
  }
  return null;
}

/**
 * Bottom level of each task: the weight of the heaviest path from it to any sink, itself
 * included; by default the number of tasks on the longest such path. Dispatching the highest
 * first keeps the critical path moving (HLFET). `estimateWeight` weighs tasks by their estimates.
 */
export function bottomLevels(graph: TaskGraph, weight: (id: string) => number = () => 1): Map<string, number> {
  const level = new Map<string, number>();
  for (const id of topologicalSort(graph).reverse()) {
    let below = 0;
    for (const child of graph.outNeighbors(id)) below = Math.max(below, level.get(child) ?? 0);
    level.set(id, below + weight(id));
  }
  return level;
}

/**
 * Tasks not yet started whose every dependency is merged, highest bottom level first. `among`
 * limits the search to candidates (e.g. the dependents of the task that just merged), so a
 * scheduler that passes them does O(out-degree) work per merge instead of scanning every task.
 */
export function readyTasks(
  graph: TaskGraph,
  status: (id: string) => string,
  levels: Map<string, number>,
  among?: Iterable<string>,
): string[] {
  const isReady = (id: string) => status(id) === 'pending' && graph.everyInNeighbor(id, (d) => status(d) === 'merged');
  const ready = among ? [...new Set(among)].filter(isReady) : graph.filterNodes(isReady);
  return ready.sort((a, b) => (levels.get(b) ?? 0) - (levels.get(a) ?? 0) || a.localeCompare(b));
}

/** Every task that transitively depends on `id`. */
export function dependentsOf(graph: TaskGraph, id: string): string[] {
  const seen = new Set<string>();
  const walk = (n: string) => {
    for (const c of graph.outNeighbors(n)) if (!seen.has(c)) { seen.add(c); walk(c); }
  };
  walk(id);
  return [...seen];
}
