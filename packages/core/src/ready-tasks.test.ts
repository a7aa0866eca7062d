import { describe, expect, it } from 'vitest';
import { bottomLevels, buildGraph, readyTasks } from './graph.js';

const plan = {
  goal: 'g',
  tasks: [
    { id: 'a', prompt: 'p', dependsOn: [], files: [] },
    { id: 'b', prompt: 'p', dependsOn: ['a'], files: [] },
    { id: 'c', prompt: 'p', dependsOn: ['a'], files: [] },
    { id: 'd', prompt: 'p', dependsOn: ['b', 'c'], files: [] },
    { id: 'e', prompt: 'p', dependsOn: [], files: [] },
  ],
};

describe('readyTasks among candidates', () => {
  it('checks only the candidates, drops duplicates and keeps the bottom-level order', () => {
    const g = buildGraph(plan);
    const levels = bottomLevels(g);
    const status: Record<string, string> = { a: 'merged', b: 'pending', c: 'pending', d: 'pending', e: 'pending' };
    // e is ready too, but it is not a candidate: a scheduler already dispatched it on an earlier pump.
    expect(readyTasks(g, (id) => status[id]!, levels, ['c', 'b', 'c', 'd'])).toEqual(['b', 'c']);
    status.b = 'merged';
    expect(readyTasks(g, (id) => status[id]!, levels, ['d'])).toEqual([]);
    status.c = 'merged';
    expect(readyTasks(g, (id) => status[id]!, levels, ['d'])).toEqual(['d']);
    expect(readyTasks(g, (id) => status[id]!, levels)).toEqual(['d', 'e']);
  });
});
