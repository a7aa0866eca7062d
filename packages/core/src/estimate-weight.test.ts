import { describe, expect, it } from 'vitest';
import { estimateWeight } from './estimate-weight.js';
import { bottomLevels, buildGraph, readyTasks } from './graph.js';
import { criticalPath } from './plan-shape.js';
import { PlanSchema, type Plan } from './plan.js';

const plan = (tasks: [string, string[], number?][]): Plan =>
  PlanSchema.parse({ goal: 'g', tasks: tasks.map(([id, dependsOn, estimate]) => ({ id, prompt: `do ${id}`, dependsOn, estimate })) });
const levelsOf = (p: Plan) => Object.fromEntries(bottomLevels(buildGraph(p), estimateWeight(p.tasks)));

describe('bottom levels weighed by estimates', () => {
  it('without estimates every task weighs 1: the level counts tasks', () => {
    const p = plan([['a', []], ['b', ['a']], ['c', []]]);
    expect(levelsOf(p)).toEqual(Object.fromEntries(bottomLevels(buildGraph(p))));
    expect(levelsOf(p)).toEqual({ a: 2, b: 1, c: 1 });
  });

  it('a long single task outranks a chain of short ones, and comes first in the ready set', () => {
    const p = plan([['a', [], 1], ['b', ['a'], 1], ['long', [], 5]]);
    const levels = bottomLevels(buildGraph(p), estimateWeight(p.tasks));
    expect(Object.fromEntries(levels)).toEqual({ a: 2, b: 1, long: 5 });
    expect(readyTasks(buildGraph(p), () => 'pending', levels)).toEqual(['long', 'a']);
    expect(criticalPath(p)).toEqual(['long']);
  });

  it('a task without an estimate weighs the mean of the known ones', () => {
    const p = plan([['a', [], 2], ['b', ['a']], ['c', [], 6]]);
    expect(estimateWeight(p.tasks)('b')).toBe(4);
    expect(levelsOf(p)).toEqual({ a: 6, b: 4, c: 6 });
  });

  it('only ratios matter: scaling every estimate scales every level, so the order stays', () => {
    const small = plan([['a', [], 1], ['b', ['a']], ['c', [], 3], ['d', ['c'], 0.5]]);
    const big = plan(small.tasks.map((t) => [t.id, t.dependsOn, t.estimate && t.estimate * 60]));
    const order = (p: Plan) => readyTasks(buildGraph(p), () => 'pending', bottomLevels(buildGraph(p), estimateWeight(p.tasks)));
    expect(levelsOf(big)).toEqual(Object.fromEntries(Object.entries(levelsOf(small)).map(([id, l]) => [id, l * 60])));
    expect(order(big)).toEqual(order(small));
    expect(order(small)).toEqual(['c', 'a']);
  });
});
