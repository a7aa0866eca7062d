import { execFileSync, spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseDot } from '@ts-graphviz/ast';
// @ts-expect-error jsdom ships no types, and this test needs only its constructor
import { JSDOM } from 'jsdom';
import { PlanSchema } from '@caid/core';
import { planStats, renderDot, renderMermaid, renderText } from './render-plan.js';

// Ids that trip naive writers: Mermaid keywords and edge letters, quotes and brackets in titles.
const plan = PlanSchema.parse({
  goal: 'Grow "textkit"',
  verify: 'npm test',
  tasks: [
    { id: 'words', title: 'Split "text" into <words>', prompt: 'p', files: ['src/words.js'] },
    { id: 'end', title: 'Slugify [a] {b} (c)', prompt: 'p', dependsOn: ['words'] },
    { id: 'o-x', title: 'Title\\case', prompt: 'p', dependsOn: ['words'] },
    { id: 'headline', prompt: 'p', dependsOn: ['end', 'o-x'] },
    { id: 'truncate', prompt: 'p' },
  ],
});

let mermaid: { parse(text: string): Promise<{ diagramType: string } | false> };
beforeAll(async () => {
  // Mermaid's sanitiser needs a DOM; jsdom provides one under Node.
  const dom = new JSDOM('');
  Object.assign(globalThis, { window: dom.window, document: dom.window.document });
  mermaid = (await import('mermaid')).default;
});

describe('plan drawings parse as what they claim to be', () => {
  it('Mermaid: the mermaid parser accepts it as a flowchart (and rejects a broken one)', async () => {
    const text = renderMermaid(plan);
    await expect(mermaid.parse(text)).resolves.toMatchObject({ diagramType: 'flowchart-v2' });
    expect(text).toContain('t_end --> t_headline');
    expect(text).toContain('t_words --> t_o_x');
    await expect(mermaid.parse(text.replace('t_words --> t_end', 't_words --> [end'))).rejects.toThrow();
  });

  it('DOT: the ts-graphviz parser reads every node and edge (and rejects a broken graph)', () => {
    const ast = parseDot(renderDot(plan));
    const graph = ast.children.find((c) => c.type === 'Graph') as { directed: boolean; children: { type: string }[] };
    expect(graph.directed).toBe(true);
    expect(graph.children.filter((c) => c.type === 'Node')).toHaveLength(5);
    expect(graph.children.filter((c) => c.type === 'Edge')).toHaveLength(4);
    expect(() => parseDot(renderDot(plan).replace('];', ''))).toThrow();
  });

  it.runIf(spawnSync('dot', ['-V']).status === 0)('DOT: Graphviz itself lays it out', () => {
    const canon = execFileSync('dot', ['-Tcanon'], { input: renderDot(plan) }).toString();
    expect(canon).toMatch(/words -> end/);
    expect(canon).toMatch(/label="Split \\"text\\" into <words>"|label="words\\nSplit/);
  });

  it('text: tasks by level with their dependents, the critical path and the parallelism', () => {
    const text = renderText(plan);
    expect(text).toMatch(/level 1\n {2}words +Split "text" into <words>\n.*files: src\/words.js\n.*└─▶ end, o-x\n {2}truncate/);
    expect(text).toMatch(/level 2\n {2}end /);
    expect(text).toMatch(/level 3\n {2}headline/);
    expect(text).toContain('critical path: words → end → headline (3 tasks)');
    expect(text).toContain('max parallelism: 3 tasks at once (5 tasks in all)');
  });

  it('a chain says "1 task at once", not "1 tasks"', () => {
    const chain = PlanSchema.parse({ goal: 'g', tasks: [{ id: 'a', title: 'A', prompt: 'p' }, { id: 'b', title: 'B', prompt: 'p', dependsOn: ['a'] }] });
    expect(planStats(chain)).toContain('max parallelism: 1 task at once (2 tasks in all)');
    expect(planStats(PlanSchema.parse({ goal: 'g', tasks: [{ id: 'a', title: 'A', prompt: 'p' }] }))).toContain('max parallelism: 1 task at once (1 task)');
  });
});
