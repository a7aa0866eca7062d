import { Graph, layout } from '@dagrejs/dagre';
import type { RunState } from '@caid/core';
import { displayStatus, statusWord } from './fold-page.js';
import { s } from './element.js';

const NODE_H = 44;
const nodeWidth = (id: string) => Math.max(90, id.length * 8 + 36);

/**
 * The task graph as SVG: dagre lays it out (dependencies on the left), each node is coloured by
 * status through its `status-*` class and labelled with the task id.
 */
export function graphView(run: RunState, selected: string | undefined, onSelect: (id: string) => void, dead = false): SVGSVGElement {
  const g = new Graph();
  g.setGraph({ rankdir: 'LR', nodesep: 18, ranksep: 56, marginx: 12, marginy: 12 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const id of run.order) g.setNode(id, { width: nodeWidth(id), height: NODE_H });
  for (const id of run.order) for (const d of run.tasks[id]!.dependsOn) g.setEdge(d, id);
  layout(g);
  const { width = 0, height = 0 } = g.graph();

  const edges = g.edges().map((e: { v: string; w: string }) => {
    const pts: { x: number; y: number }[] = g.edge(e).points ?? [];
    const d = pts.map((p, i) => `${i ? 'L' : 'M'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
    return s('path', { class: 'edge', d, 'marker-end': 'url(#arrow)' });
  });
  const nodes = run.order.map((id) => {
    const n = g.node(id);
    const t = run.tasks[id]!;
    const status = displayStatus(t.status);
    return s('g', {
      class: `node status-${status}${id === selected ? ' selected' : ''}`, 'data-task': id, 'data-status': status,
      transform: `translate(${n.x - n.width / 2},${n.y - n.height / 2})`, onclick: () => onSelect(id),
    },
    s('title', {}, `${id}: ${statusWord(t, run, dead)}`),
    s('rect', { width: n.width, height: n.height, rx: 8 }),
    s('text', { class: 'node-id', x: n.width / 2, y: 19 }, id),
    s('text', { class: 'node-status', x: n.width / 2, y: 34 }, statusWord(t, run, dead)));
  });
  return s('svg', { class: 'graph', viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': 'task graph' },
    s('defs', {}, s('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
      s('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrow' }))),
    ...edges, ...nodes);
}
