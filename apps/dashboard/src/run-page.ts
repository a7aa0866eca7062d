import { formatSettings, runInputs, taskPhase, testProgress, type RunEvent } from '@caid/core';
import { displayStatus, statusWord, foldPage, initialPage, statusCounts, type PageState } from './fold-page.js';
import { clock, cost, duration, tokens, usageText } from './format.js';
import { graphView } from './graph-view.js';
import { timelineView } from './timeline-view.js';
import { taskDetails, type TaskFiles } from './task-details.js';
import type { TranscriptRecord } from './transcript-view.js';
import { h } from './element.js';

const api = (runId: string, rest = '') => `/api/runs/${encodeURIComponent(runId)}${rest}`;

async function loadFiles(runId: string, taskId: string): Promise<TaskFiles> {
  const [tr, vl] = await Promise.all([fetch(api(runId, `/tasks/${taskId}/transcript`)), fetch(api(runId, `/tasks/${taskId}/verify`))]);
  return { transcript: tr.ok ? ((await tr.json()) as TranscriptRecord[]) : [], verifyLog: vl.ok ? await vl.text() : null };
}

/**
 * The page of one run: the run log arrives over server-sent events (all of it, then each new
 * line), is folded with `foldPage` (core.reduce plus history), and the page is redrawn from it.
 */
export function runPage(root: HTMLElement, runId: string): void {
  let page: PageState = initialPage();
  let ended = false;
  let connection = 'connecting';
  let selected = decodeURIComponent(/task=([^&]+)/.exec(location.hash)?.[1] ?? '') || undefined;
  const files = new Map<string, { key: unknown; files: TaskFiles }>();
  let queued = false;
  // Whether a live process drives the run (its lock), asked while the log says running: a run
  // killed with -9 never writes run.finished, and its page must not claim to be running.
  let dead = false;
  const checkLive = () => {
    if (ended && page.run.status !== 'running') return;
    fetch(api(runId)).then(async (r) => {
      if (!r.ok) return;
      const now = ((await r.json()) as { live: boolean }).live === false;
      if (now !== dead) { dead = now; draw(); }
    }, () => undefined); // expected: the server is away: keep the last answer, the next poll asks again
  };

  const select = (id: string) => { selected = id; history.replaceState(null, '', `#task=${id}`); draw(); };
  const refreshFiles = () => {
    const id = selected;
    if (!id || !page.run.tasks[id]) return;
    const key = page.history[id];
    if (files.get(id)?.key === key) return;
    files.set(id, { key, files: files.get(id)?.files ?? { transcript: [], verifyLog: null } });
    // expected: a failed load leaves the files shown as they were; the next change of the task asks again.
    loadFiles(runId, id).then((f) => { files.set(id, { key, files: f }); draw(); }, () => undefined);
  };
  const draw = () => { if (!queued) { queued = true; requestAnimationFrame(() => { queued = false; render(); }); } };

  function render(): void {
    page = { ...page, dead: dead && page.run.status === 'running' };
    const run = page.run;
    const now = run.finishedAt ?? (page.dead ? page.lastAt : undefined) ?? new Date().toISOString();
    const status = page.dead ? 'interrupted' : run.status;
    document.title = `caid · ${runId} · ${status}`;
    document.body.dataset.runStatus = status;
    document.body.dataset.events = String(page.events);
    if (!page.events) { root.replaceChildren(h('p', { class: 'muted' }, `Loading run ${runId}… (${connection})`)); return; }
    const counts = statusCounts(run);
    const live = { ...run.usage };
    for (const id of run.order) { live.inputTokens += run.tasks[id]!.liveUsage.inputTokens; live.outputTokens += run.tasks[id]!.liveUsage.outputTokens; live.costUsd += run.tasks[id]!.liveUsage.costUsd; }
    refreshFiles();
    root.replaceChildren(
      h('header', {},
        h('a', { href: '/', class: 'back' }, '← all runs'),
        h('h1', {}, `run ${run.runId} `, h('span', { class: `badge run-${status}`, id: 'run-status' }, page.dead ? 'interrupted (not running)' : status)),
        h('span', { class: `conn ${ended ? 'ended' : 'live'}` }, page.dead ? `no process drives it: resume it with caid resume ${runId}` : ended ? 'complete log' : `following live (${connection})`)),
      h('p', { class: 'goal' }, run.goal),
      h('p', { class: 'meta muted' }, `branch ${run.branch} at ${run.head.slice(0, 10)} · base ${run.base} ${run.baseCommit.slice(0, 10)} · ${runInputs(run).workers} workers`,
        runInputs(run).verify ? ` · verify \`${runInputs(run).verify}\`` : '', ` · started ${clock(run.startedAt)}, ${duration(run.startedAt, now)}`),
      h('div', { class: 'totals', id: 'totals' },
        ...(['merged', 'running', 'waiting', 'failed', 'skipped'] as const).map((k) => h('span', { class: `count status-${k}`, 'data-count': k }, `${counts[k]} ${k}`)),
        h('span', { class: 'usage' }, `tokens ${usageText(live)}`), h('span', { class: 'usage' }, `cost ${cost(live.costUsd)}`)),
      ...(run.gate ? [h('p', { class: 'meta', id: 'gate' }, `gate ${run.gate.mode} (${run.gate.reason})`,
        run.testHistory.length ? h('span', { id: 'tests-progress' }, ` · tests passing ${testProgress(run)}`) : '',
        run.flaky.length ? ` · flaky: ${run.flaky.join(', ')}` : '')] : []),
      // The settings the run was started (or last resumed) with, as `caid status --settings` prints them.
      ...(run.settings ? [h('details', { class: 'meta', id: 'settings' }, h('summary', {}, 'settings'), h('pre', {}, formatSettings(run.settings)))] : []),
      ...(run.revisions ? [h('p', { class: 'meta', id: 'revisions' }, `plan revised ${run.revisions} time${run.revisions > 1 ? 's' : ''} after permanent failures`)] : []),
      ...((run.steps ?? []).map((x) => h('p', { class: 'meta muted' }, `${x.kind}: ${x.outcome}${x.message ? ` (${x.message.split('\n')[0]})` : ''}`))),
      h('section', { class: 'panel' }, h('h2', {}, 'Task graph'), graphView(run, selected, select, page.dead)),
      h('section', { class: 'panel' }, h('h2', {}, 'Timeline'), timelineView(page, now), legend()),
      h('section', { class: 'panel' }, h('h2', {}, 'Tasks'), taskTable(page, now, selected, select)),
      h('section', { class: 'panel' }, h('h2', {}, 'Merge log'), mergeLog(page)),
      selected && run.tasks[selected] ? taskDetails(page, selected, files.get(selected)?.files, now) : h('p', { class: 'muted' }, 'Click a task for its prompt, rounds, verify output and transcript.'));
  }

  const es = new EventSource(api(runId, '/events'));
  es.onopen = () => { connection = 'connected'; draw(); };
  es.onmessage = (m) => {
    page = foldPage(page, JSON.parse(m.data as string) as RunEvent);
    draw();
  };
  es.addEventListener('end', () => { es.close(); ended = true; draw(); });
  es.onerror = () => { if (!ended) { connection = 'reconnecting'; draw(); } };
  // Elapsed times move while the run is live.
  const tick = setInterval(() => { if (ended) clearInterval(tick); else draw(); }, 1000);
  const liveness = setInterval(() => { if (ended && page.run.status !== 'running') clearInterval(liveness); else checkLive(); }, 5000);
  checkLive();
  draw();
}

function taskTable(p: PageState, now: string, selected: string | undefined, select: (id: string) => void): HTMLElement {
  const head = ['task', 'status', 'attempt', 'now', 'conflicts', 'failed verifies', 'tokens', 'cost', 'time'];
  return h('table', { class: 'tasks' }, h('tr', {}, ...head.map((c) => h('th', {}, c))),
    ...p.run.order.map((id) => {
      const t = p.run.tasks[id]!;
      const tok = t.usage.inputTokens + t.usage.outputTokens + t.liveUsage.inputTokens + t.liveUsage.outputTokens;
      const doing = t.status === 'running' ? `step ${t.step}${t.tool ? ` ${t.tool}` : ''}` : t.status === 'integrating' ? taskPhase(t) : t.reason ?? '';
      return h('tr', { 'data-task': id, 'data-status': displayStatus(t.status), class: id === selected ? 'selected' : '', onclick: () => select(id) },
        h('td', {}, h('a', { href: `#task=${id}` }, id)), h('td', {}, h('span', { class: `badge status-${displayStatus(t.status)}` }, statusWord(t, p.run, p.dead))),
        h('td', {}, String(t.attempts)), h('td', {}, doing), h('td', {}, `${t.conflicts}${t.conflictWarnings ? ` (${t.conflictWarnings} warned)` : ''}`), h('td', {}, String(t.verifyFailures)),
        h('td', {}, tokens(tok)), h('td', {}, cost(t.usage.costUsd + t.liveUsage.costUsd)), h('td', {}, duration(t.startedAt, t.finishedAt ?? now)));
    }));
}

function mergeLog(p: PageState): HTMLElement {
  if (!p.run.mergeOrder.length) return h('p', { class: 'muted' }, 'Nothing merged yet.');
  return h('ol', { class: 'merge-log' }, ...p.run.mergeOrder.map((id) => {
    const t = p.run.tasks[id]!;
    return h('li', {}, `${clock(t.mergedAt)} ${id} → ${t.mergeCommit?.slice(0, 10) ?? ''}`, t.conflicts ? ` (after ${t.conflicts} conflict round${t.conflicts > 1 ? 's' : ''})` : '',
      t.verifyFailures ? ` (after ${t.verifyFailures} failed verify)` : '');
  }));
}

function legend(): HTMLElement {
  const item = (cls: string, text: string) => h('span', { class: `legend-item ${cls}` }, text);
  return h('p', { class: 'legend muted' }, item('lg-start', 'agent round'), item('lg-conflict', 'conflict round'), item('lg-verify', 'send-back after a failed verify'),
    item('lg-integrating', 'merge + verify'), item('lg-merged', 'merged'), item('lg-conflict-mark', 'conflict'), item('lg-failed', 'verify failed'));
}
