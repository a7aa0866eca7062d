import { describe, expect, it } from 'vitest';
import { bottomLevels, buildGraph, dependentsOf, findCycle, planProblems, readyTasks } from './graph.js';
import { PlanSchema, type Plan } from './plan.js';

const plan = (tasks: [string, string[]][]): Plan =>
  PlanSchema.parse({ goal: 'g', tasks: tasks.map(([id, dependsOn]) => ({ id, prompt: `do ${id}`, dependsOn })) });

describe('graph rules', () => {
  const diamond = plan([['a', []], ['b', ['a']], ['c', ['a']], ['d', ['b', 'c']], ['e', []]]);

  it('finds no problem in a sound plan', () => {
    expect(planProblems(diamond)).toEqual([]);
  });

  it('names unknown dependencies, duplicates and self-dependencies', () => {
    expect(planProblems(plan([['a', ['zz']], ['a', []]]))).toEqual(['duplicate task id "a"', 'task "a" depends on unknown task "zz"']);
    expect(planProblems(plan([['a', ['a']]]))).toEqual(['task "a" depends on itself']);
  });

  it('names the cycle as a closed walk', () => {
    const p = plan([['a', []], ['b', ['a', 'd']], ['c', ['b']], ['d', ['c']]]);
    expect(findCycle(p)).toEqual(['b', 'd', 'c', 'b']);
    expect(planProblems(p)).toEqual(['dependency cycle: b -> d -> c -> b']);
  });

  it('rejects malformed ids in the schema', () => {
    for (const id of ['A', '1a', 'a_b', 'a'.repeat(49), '']) {
      expect(PlanSchema.safeParse({ goal: 'g', tasks: [{ id, prompt: 'p' }] }).success).toBe(false);
    }
    expect(PlanSchema.safeParse({ goal: 'g', tasks: [{ id: 'a-1', prompt: '  ' }] }).success).toBe(false);
  });

  it('computes bottom levels: the longest path to a sink, itself included', () => {
    const levels = bottomLevels(buildGraph(diamond));
    expect(Object.fromEntries(levels)).toEqual({ a: 3, b: 2, c: 2, d: 1, e: 1 });
    const weighted = bottomLevels(buildGraph(diamond), (id) => (id === 'c' ? 5 : 1));
    expect(weighted.get('a')).toBe(7);
  });

  it('ready set: pending tasks whose dependencies are all merged, critical path first', () => {
    const g = buildGraph(diamond);
    const levels = bottomLevels(g);
    const status: Record<string, string> = { a: 'pending', b: 'pending', c: 'pending', d: 'pending', e: 'pending' };
    expect(readyTasks(g, (id) => status[id]!, levels)).toEqual(['a', 'e']);
    status.a = 'merged';
    status.e = 'running';
    expect(readyTasks(g, (id) => status[id]!, levels)).toEqual(['b', 'c']);
    status.b = 'merged';
    expect(readyTasks(g, (id) => status[id]!, levels)).toEqual(['c']);
    status.c = 'failed';
    expect(readyTasks(g, (id) => status[id]!, levels)).toEqual([]);
  });

  it('lists transitive dependents', () => {
    expect(dependentsOf(buildGraph(diamond), 'a').sort()).toEqual(['b', 'c', 'd']);
    expect(dependentsOf(buildGraph(diamond), 'e')).toEqual([]);
  });
});
