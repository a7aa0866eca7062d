import { criticalPath, depthLevels, maxParallelism, type Plan } from '@caid/core';

export type PlanFormat = 'text' | 'mermaid' | 'dot';

/** The numbers that say how well a plan parallelises. */
export function planStats(plan: Plan): string {
  const path = criticalPath(plan);
  const at = maxParallelism(plan);
  const all = plan.tasks.length;
  return [
    `critical path: ${path.join(' → ')} (${path.length} task${path.length === 1 ? '' : 's'})`,
    `max parallelism: ${at} task${at === 1 ? '' : 's'} at once (${all === 1 ? '1 task' : `${all} tasks in all`})`,
  ].join('\n');
}

/**
 * A goal as one terminal line: its first line, cut at 160 characters with the full length named.
 * A goal can be pages long (pasted from an issue); the plan file and the run log keep all of it.
 */
export function goalLine(goal: string): string {
  const text = goal.trim();
  const first = text.split('\n')[0]!;
  if (first.length <= 160 && first === text) return first;
  return `${first.slice(0, 160).trimEnd()}… (${text.length} characters)`;
}

/** The graph in the terminal: tasks by level (a task's level is one more than its deepest dependency). */
export function renderText(plan: Plan): string {
  const byId = new Map(plan.tasks.map((t) => [t.id, t]));
  const dependents = new Map<string, string[]>();
  for (const t of plan.tasks) for (const d of t.dependsOn) dependents.set(d, [...(dependents.get(d) ?? []), t.id]);
  const width = Math.max(...plan.tasks.map((t) => t.id.length));
  const lines = [`goal: ${goalLine(plan.goal)}`, ...(plan.verify ? [`verify: ${plan.verify}`] : []), ''];
  depthLevels(plan).forEach((row, i) => {
    lines.push(`level ${i + 1}`);
    for (const id of row) {
      const t = byId.get(id)!;
      const next = dependents.get(id);
      lines.push(`  ${id.padEnd(width)}  ${t.title ?? ''}`.trimEnd());
      if (t.files.length) lines.push(`  ${''.padEnd(width)}  files: ${t.files.join(', ')}`);
      if (next) lines.push(`  ${''.padEnd(width)}  └─▶ ${next.join(', ')}`);
    }
  });
  return [...lines, '', planStats(plan)].join('\n');
}

// Mermaid ids: a prefix keeps keywords (`end`) and edge letters (`o`, `x`) out of the way; task ids never contain `_`.
const mermaidId = (id: string) => `t_${id.replace(/-/g, '_')}`;
const mermaidLabel = (s: string) => s.replace(/"/g, '#quot;').replace(/[<>]/g, (c) => (c === '<' ? '#lt;' : '#gt;'));

export function renderMermaid(plan: Plan): string {
  const lines = ['flowchart TD'];
  for (const t of plan.tasks) lines.push(`  ${mermaidId(t.id)}["${mermaidLabel(t.title ? `${t.id}: ${t.title}` : t.id)}"]`);
  for (const t of plan.tasks) for (const d of t.dependsOn) lines.push(`  ${mermaidId(d)} --> ${mermaidId(t.id)}`);
  return `${lines.join('\n')}\n`;
}

const dotString = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

export function renderDot(plan: Plan): string {
  const lines = ['digraph plan {', '  rankdir=LR;', '  node [shape=box];', `  label=${dotString(plan.goal)};`];
  for (const t of plan.tasks) lines.push(`  ${dotString(t.id)} [label=${dotString(t.title ? `${t.id}\n${t.title}` : t.id)}];`);
  for (const t of plan.tasks) for (const d of t.dependsOn) lines.push(`  ${dotString(d)} -> ${dotString(t.id)};`);
  return `${[...lines, '}'].join('\n')}\n`;
}

export function renderPlan(plan: Plan, format: PlanFormat): string {
  return format === 'mermaid' ? renderMermaid(plan) : format === 'dot' ? renderDot(plan) : `${renderText(plan)}\n`;
}
