import { cost, clock, duration } from './format.js';
import { h } from './element.js';

/** A run as `/api/runs` lists it. */
export interface RunListItem {
  runId: string;
  goal: string;
  /** `interrupted` when the log says running but no live process holds the run's lock. */
  status: string;
  live: boolean;
  startedAt?: string;
  finishedAt?: string;
  tasks: number;
  merged: number;
  failed: number;
  costUsd: number;
  tokens: number;
}

/** `/`: every run of the repository, newest first. */
export async function runList(root: HTMLElement): Promise<void> {
  document.title = 'caid · runs';
  const res = await fetch('/api/runs');
  const runs = res.ok ? ((await res.json()) as { repo: string; runs: RunListItem[] }) : { repo: '', runs: [] };
  root.replaceChildren(
    h('header', {}, h('h1', {}, 'caid runs'), h('span', { class: 'muted' }, runs.repo)),
    runs.runs.length
      ? h('table', { class: 'runs' },
        h('tr', {}, ...['run', 'status', 'goal', 'started', 'took', 'merged', 'failed', 'tokens', 'cost'].map((c) => h('th', {}, c))),
        ...runs.runs.map((r) => h('tr', { 'data-run': r.runId },
          h('td', {}, h('a', { href: `/runs/${encodeURIComponent(r.runId)}` }, r.runId)),
          h('td', {}, h('span', { class: `badge run-${r.status}` }, r.status === 'interrupted' ? 'interrupted (not running)' : r.status)), h('td', {}, r.goal),
          h('td', {}, `${r.startedAt?.slice(0, 10) ?? ''} ${clock(r.startedAt)}`), h('td', {}, duration(r.startedAt, r.finishedAt)),
          h('td', {}, `${r.merged}/${r.tasks}`), h('td', {}, String(r.failed)), h('td', {}, String(r.tokens)), h('td', {}, cost(r.costUsd)))))
      : h('p', { class: 'muted' }, 'No runs in this repository yet. Start one with `caid run --plan plan.yaml`.'));
}
