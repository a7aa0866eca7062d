import { describe, expect, it } from 'vitest';
import { PlanSchema, type Plan } from './plan.js';
import { criticalPath, depthLevels, fileOverlaps, maxParallelism } from './plan-shape.js';

const plan = (tasks: [string, string[], string[]?][]): Plan =>
  PlanSchema.parse({ goal: 'g', tasks: tasks.map(([id, dependsOn, files]) => ({ id, prompt: `do ${id}`, dependsOn, files: files ?? [] })) });

describe('plan shape', () => {
  const diamond = plan([['a', []], ['b', ['a']], ['c', ['a']], ['d', ['b', 'c']], ['e', []]]);

  it('critical path: the longest dependency chain, first to last', () => {
    expect(criticalPath(diamond)).toEqual(['a', 'b', 'd']);
    expect(criticalPath(plan([['x', []]]))).toEqual(['x']);
  });

  it('max parallelism is the largest antichain, not the widest level', () => {
    expect(maxParallelism(diamond)).toBe(3); // b, c, e
    expect(maxParallelism(plan([['a', []], ['b', ['a']], ['c', ['b']]]))).toBe(1);
    // Levels {p1, u} {v, p2} {w} are at most 2 wide, yet u, v and w can all run at once.
    const skewed = plan([['p1', []], ['u', []], ['v', ['p1']], ['p2', ['p1']], ['w', ['p2']]]);
    expect(depthLevels(skewed).map((r) => r.length)).toEqual([2, 2, 1]);
    expect(maxParallelism(skewed)).toBe(3);
  });

  it('depth levels group tasks by their deepest dependency', () => {
    expect(depthLevels(diamond)).toEqual([['a', 'e'], ['b', 'c'], ['d']]);
  });

  it('flags concurrent tasks that share files, but not ordered ones (even transitively)', () => {
    const p = plan([
      ['a', [], ['src/index.js', 'src/a.js']], ['b', ['a'], ['./src/index.js']], ['c', ['b'], ['src/index.js']],
      ['d', [], ['src/a.js', 'README.md']], ['e', [], ['README.md/']],
    ]);
    expect(fileOverlaps(p)).toEqual([
      'tasks "a" and "d" can run at the same time but both touch src/a.js: merge them into one task, or make one depend on the other',
      'tasks "d" and "e" can run at the same time but both touch README.md: merge them into one task, or make one depend on the other',
    ]);
    expect(fileOverlaps(diamond)).toEqual([]);
  });
});

describe('plan shape on large plans', () => {
  it('handles a 20,000-task chain without recursion or a transitive closure', () => {
    const n = 20_000;
    const chain = { goal: 'g', tasks: Array.from({ length: n }, (_, i) => ({ id: `t${i}`, prompt: 'p', dependsOn: i ? [`t${i - 1}`] : [], files: [] })) };
    const chainPlan = PlanSchema.parse(chain);
    const levels = depthLevels(chainPlan);
    expect(levels).toHaveLength(n);
    expect(levels.at(-1)).toEqual([`t${n - 1}`]);
    expect(maxParallelism(chainPlan)).toBe(1);
    expect(fileOverlaps(chainPlan)).toEqual([]);
  });

  it('still finds file overlaps among the few tasks that share a file in a large plan', () => {
    const tasks = Array.from({ length: 5000 }, (_, i) => ({ id: `t${i}`, prompt: 'p', dependsOn: i ? [`t${i - 1}`] : [], files: [] as string[] }));
    tasks.push({ id: 'x', prompt: 'p', dependsOn: [], files: ['a.ts'] }, { id: 'y', prompt: 'p', dependsOn: ['t4999'], files: ['./a.ts'] });
    expect(fileOverlaps(PlanSchema.parse({ goal: 'g', tasks }))).toEqual([
      'tasks "x" and "y" can run at the same time but both touch a.ts: merge them into one task, or make one depend on the other',
    ]);
  });
});
