import type { PageState } from './fold-page.js';
import { clock, duration } from './format.js';
import { s } from './element.js';

const LABEL_W = 150;
const ROW_H = 22;
const AXIS_H = 24;

/**
 * When each task ran and merged: a bar per agent round (shaded by round kind), a thin bar for
 * the time in the integrator, and a mark for each merge, conflict, failed verify or reopen.
 */
export function timelineView(p: PageState, now: string, width = 960): SVGSVGElement {
  const run = p.run;
  const t0 = Date.parse(run.startedAt ?? now);
  const t1 = Math.max(Date.parse(run.finishedAt ?? now), t0 + 1000);
  const plotW = width - LABEL_W - 16;
  const x = (iso: string) => LABEL_W + ((Date.parse(iso) - t0) / (t1 - t0)) * plotW;
  const rows = run.order.map((id, i) => {
    const y = AXIS_H + i * ROW_H;
    const h = p.history[id];
    const parts: SVGElement[] = [s('text', { class: 'tl-label', x: 4, y: y + 15 }, id)];
    for (const r of h?.rounds ?? []) {
      if (!r.startedAt) continue;
      const end = r.finishedAt ?? now;
      parts.push(s('rect', { class: `tl-round tl-${r.kind}`, x: x(r.startedAt), y: y + 4, width: Math.max(2, x(end) - x(r.startedAt)), height: ROW_H - 8 },
        s('title', {}, `${id} attempt ${r.attempt} (${r.kind}): ${clock(r.startedAt)}–${clock(r.finishedAt)} ${duration(r.startedAt, end)}${r.outcome ? `, ${r.outcome}` : ''}`)));
    }
    for (const it of h?.integrations ?? []) {
      parts.push(s('rect', { class: 'tl-integrating', x: x(it.from), y: y + 9, width: Math.max(1, x(it.at) - x(it.from)), height: ROW_H - 18 }));
      parts.push(s('circle', { class: `tl-mark tl-${it.result}`, cx: x(it.at), cy: y + ROW_H / 2, r: 5 },
        s('title', {}, `${id} ${it.result} at ${clock(it.at)}${it.detail ? `: ${it.detail}` : ''}`)));
    }
    return s('g', { class: 'tl-row', 'data-task': id }, ...parts);
  });
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const iso = new Date(t0 + f * (t1 - t0)).toISOString();
    const tx = LABEL_W + f * plotW;
    return s('g', {}, s('line', { class: 'tl-tick', x1: tx, x2: tx, y1: AXIS_H - 4, y2: AXIS_H + run.order.length * ROW_H }),
      s('text', { class: 'tl-axis', x: tx, y: 14 }, `+${duration(run.startedAt, iso)}`));
  });
  const height = AXIS_H + run.order.length * ROW_H + 6;
  return s('svg', { class: 'timeline', viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': 'timeline' }, ...ticks, ...rows);
}
