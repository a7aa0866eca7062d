import { bottomLevels, buildGraph, type TaskGraph } from './graph.js';
import { estimateWeight } from './estimate-weight.js';
import type { Plan } from './plan.js';

/** For each task, every task it transitively depends on. Call only on a plan that passed `planProblems`. */
export function ancestorsOf(plan: Plan): Map<string, Set<string>> {
  const deps = new Map(plan.tasks.map((t) => [t.id, t.dependsOn]));
  const memo = new Map<string, Set<string>>();
  const visit = (id: string): Set<string> => {
    const known = memo.get(id);
    if (known) return known;
    const all = new Set<string>();
    memo.set(id, all);
    for (const d of deps.get(id) ?? []) {
      all.add(d);
      for (const a of visit(d)) all.add(a);
    }
    return all;
  };
  for (const t of plan.tasks) visit(t.id);
  return memo;
}

/**
 * Pairs of tasks that could run at the same time (neither depends on the other, even
 * transitively) yet expect to touch the same file: two engineers on one file. Sentences.
 */
export function fileOverlaps(plan: Plan): string[] {
  const anc = ancestorsOf(plan);
  const out: string[] = [];
  const norm = (f: string) => f.replace(/^\.\//, '').replace(/\/+$/, '');
  for (let i = 0; i < plan.tasks.length; i++) {
    for (let j = i + 1; j < plan.tasks.length; j++) {
      const a = plan.tasks[i]!;
      const b = plan.tasks[j]!;
      if (anc.get(a.id)!.has(b.id) || anc.get(b.id)!.has(a.id)) continue;
      const mine = new Set(a.files.map(norm));
      const shared = [...new Set(b.files.map(norm))].filter((f) => mine.has(f));
      if (shared.length) {
        out.push(`tasks "${a.id}" and "${b.id}" can run at the same time but both touch ${shared.join(', ')}: merge them into one task, or make one depend on the other`);
      }
    }
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

/**
 * The largest number of tasks that can run at once with unlimited workers: the width of the
 * dependency order (its largest antichain), by Dilworth's theorem n - maximum matching over
 * the transitive "must finish before" relation.
 */
export function maxParallelism(plan: Plan): number {
  const anc = ancestorsOf(plan);
  const ids = plan.tasks.map((t) => t.id);
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
  const visit = (id: string): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    const d = 1 + Math.max(0, ...(deps.get(id) ?? []).map(visit));
    depth.set(id, d);
    return d;
  };
  const rows: string[][] = [];
  for (const t of plan.tasks) (rows[visit(t.id) - 1] ??= []).push(t.id);
  return rows;
}
