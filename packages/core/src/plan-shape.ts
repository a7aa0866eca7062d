import { bottomLevels, buildGraph, type TaskGraph } from './graph.js';
import { estimateWeight } from './estimate-weight.js';
import type { Plan } from './plan.js';

/** Task ids in an order where every task comes after its dependencies (Kahn; no recursion, so deep chains are fine). */
function dependencyOrder(plan: Plan): string[] {
  const pending = new Map(plan.tasks.map((t) => [t.id, t.dependsOn.length]));
  const dependents = new Map<string, string[]>(plan.tasks.map((t) => [t.id, []]));
  for (const t of plan.tasks) for (const d of t.dependsOn) dependents.get(d)?.push(t.id);
  const order = plan.tasks.filter((t) => t.dependsOn.length === 0).map((t) => t.id);
  for (let i = 0; i < order.length; i++) {
    for (const n of dependents.get(order[i]!)!) {
      const left = pending.get(n)! - 1;
      pending.set(n, left);
      if (left === 0) order.push(n);
    }
  }
  return order;
}

/** Every task `id` transitively depends on: a walk of its dependencies (iterative). */
function ancestorsOfOne(deps: ReadonlyMap<string, readonly string[]>, id: string): Set<string> {
  const seen = new Set<string>();
  const stack = [...(deps.get(id) ?? [])];
  while (stack.length) {
    const d = stack.pop()!;
    if (seen.has(d)) continue;
    seen.add(d);
    stack.push(...(deps.get(d) ?? []));
  }
  return seen;
}

/**
 * Pairs of tasks that could run at the same time (neither depends on the other, even
 * transitively) yet expect to touch the same file: two engineers on one file. Sentences.
 * Only tasks that share a file are compared, so a large plan whose tasks share none costs one pass.
 */
export function fileOverlaps(plan: Plan): string[] {
  const norm = (f: string) => f.replace(/^\.\//, '').replace(/\/+$/, '');
  const byFile = new Map<string, number[]>();
  plan.tasks.forEach((t, i) => { for (const f of new Set(t.files.map(norm))) byFile.set(f, [...(byFile.get(f) ?? []), i]); });
  const shared = new Map<string, string[]>(); // "i j" -> files both touch, for pairs of task indexes i < j
  for (const [f, idx] of byFile) {
    for (let x = 0; x < idx.length; x++) for (let y = x + 1; y < idx.length; y++) {
      const key = `${idx[x]} ${idx[y]}`;
      shared.set(key, [...(shared.get(key) ?? []), f]);
    }
  }
  if (!shared.size) return [];
  const deps = new Map(plan.tasks.map((t) => [t.id, t.dependsOn]));
  const anc = new Map<string, Set<string>>();
  const ancestors = (id: string) => anc.get(id) ?? anc.set(id, ancestorsOfOne(deps, id)).get(id)!;
  const out: string[] = [];
  const pairs = [...shared.keys()].map((k) => k.split(' ').map(Number) as [number, number]).sort((p, q) => p[0] - q[0] || p[1] - q[1]);
  for (const [i, j] of pairs) {
    const a = plan.tasks[i]!;
    const b = plan.tasks[j]!;
    if (ancestors(a.id).has(b.id) || ancestors(b.id).has(a.id)) continue;
    const files = [...new Set(b.files.map(norm))].filter((f) => shared.get(`${i} ${j}`)!.includes(f));
    out.push(`tasks "${a.id}" and "${b.id}" can run at the same time but both touch ${files.join(', ')}: merge them into one task, or make one depend on the other`);
  }
  return out;
}

/**
 * The longest chain of dependent tasks, first to last (ties broken by id), weighed by the tasks'
 * estimates as the scheduler weighs them; counted in tasks when the plan has none.
 */
export function criticalPath(plan: Plan, graph: TaskGraph = buildGraph(plan)): string[] {
  const levels = bottomLevels(graph, estimateWeight(plan.tasks));
  const best = (ids: string[]) => [...ids].sort((a, b) => levels.get(b)! - levels.get(a)! || a.localeCompare(b))[0];
  const path: string[] = [];
  let at = best(graph.filterNodes((id) => graph.inDegree(id) === 0));
  while (at) {
    path.push(at);
    at = best(graph.outNeighbors(at));
  }
  return path;
}

/** Above this many tasks the exact width (a matching over the transitive order, cubic) is not computed. */
export const EXACT_PARALLELISM_LIMIT = 2000;

/**
 * The largest number of tasks that can run at once with unlimited workers: the width of the
 * dependency order (its largest antichain), by Dilworth's theorem n - maximum matching over
 * the transitive "must finish before" relation. Above EXACT_PARALLELISM_LIMIT tasks, the widest
 * depth level instead: tasks of one level never depend on each other, so it is a lower bound.
 */
export function maxParallelism(plan: Plan): number {
  if (plan.tasks.length > EXACT_PARALLELISM_LIMIT) return Math.max(0, ...depthLevels(plan).map((r) => r.length));
  const deps = new Map(plan.tasks.map((t) => [t.id, t.dependsOn]));
  const ids = plan.tasks.map((t) => t.id);
  const anc = new Map(ids.map((id) => [id, ancestorsOfOne(deps, id)]));
  const later = new Map(ids.map((id) => [id, ids.filter((o) => anc.get(o)!.has(id))]));
  const matchedTo = new Map<string, string>();
  const augment = (u: string, seen: Set<string>): boolean => {
    for (const v of later.get(u)!) {
      if (seen.has(v)) continue;
      seen.add(v);
      const other = matchedTo.get(v);
      if (other === undefined || augment(other, seen)) { matchedTo.set(v, u); return true; }
    }
    return false;
  };
  let matching = 0;
  for (const u of ids) if (augment(u, new Set())) matching++;
  return ids.length - matching;
}

/** Depth of each task: 1 for tasks without dependencies, else one more than its deepest dependency. */
export function depthLevels(plan: Plan): string[][] {
  const deps = new Map(plan.tasks.map((t) => [t.id, t.dependsOn]));
  const depth = new Map<string, number>();
  for (const id of dependencyOrder(plan)) {
    let d = 1;
    for (const x of deps.get(id)!) d = Math.max(d, depth.get(x)! + 1);
    depth.set(id, d);
  }
  const rows: string[][] = [];
  for (const t of plan.tasks) (rows[depth.get(t.id)! - 1] ??= []).push(t.id);
  return rows;
}
