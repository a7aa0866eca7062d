import { runInputs, type RunState, type TaskState } from '@caid/core';

export interface LiveViewOptions {
  now: number;
  columns: number;
  rows: number;
  /** Shown in the header, e.g. the dashboard's address. */
  note?: string;
}

const ICON: Record<TaskState['status'], string> = {
  pending: '·', queued: '◌', running: '▶', integrating: '⇄', merged: '✔', failed: '✖', skipped: '⤼',
};
const LABEL: Record<TaskState['status'], string> = {
  pending: 'waiting', queued: 'queued', running: 'running', integrating: 'merging', merged: 'merged', failed: 'failed', skipped: 'skipped',
};
// Running work first when the terminal is too short for every task.
const RANK: Record<TaskState['status'], number> = { running: 0, integrating: 0, queued: 1, pending: 2, failed: 3, merged: 4, skipped: 5 };

export const elapsed = (ms: number) => {
  const sec = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(sec / 60)}:${String(sec % 60).padStart(2, '0')}`;
};
export const kilo = (n: number) => (n >= 1000 ? `${(n / 1000).toFixed(1)}k` : String(n));

function doing(t: TaskState): string {
  if (t.status === 'running') return t.step ? `step ${t.step}${t.tool ? ` ${t.tool}` : ''}` : 'starting';
  if (t.status === 'integrating') return 'merge + verify';
  if (t.status === 'skipped') return `blocked by ${t.blockedBy}`;
  if (t.status === 'failed') return t.reason ?? '';
  return '';
}

/**
 * The live terminal frame for a run, drawn from the folded state alone: one line per task
 * (status, attempt, current step or tool, elapsed time, tokens), the run totals and the merge
 * log. Pure, so it is tested as text; log-update puts it on the screen.
 */
export function renderLiveView(s: RunState, o: LiveViewOptions): string {
  const all = s.order.map((id) => s.tasks[id]!);
  const idW = Math.max(4, ...all.map((t) => t.id.length));
  const started = s.startedAt ? Date.parse(s.startedAt) : o.now;
  const end = s.finishedAt ? Date.parse(s.finishedAt) : o.now;
  const fit = (line: string) => (line.length > o.columns - 1 ? `${line.slice(0, o.columns - 2)}…` : line);

  const { workers, verify } = runInputs(s);
  const header = `caid run ${s.runId} · ${workers} workers${verify ? ` · verify \`${verify}\`` : ''} · ${elapsed(end - started)}${o.note ? ` · ${o.note}` : ''}`;
  const budget = Math.max(1, o.rows - 5);
  const shown = all.length <= budget ? all : [...all].sort((a, b) => RANK[a.status] - RANK[b.status]).slice(0, budget - 1);
  const lines = shown.map((t) => {
    const tok = t.usage.inputTokens + t.usage.outputTokens + t.liveUsage.inputTokens + t.liveUsage.outputTokens;
    const time = t.startedAt ? elapsed((t.finishedAt ? Date.parse(t.finishedAt) : end) - Date.parse(t.startedAt)) : '';
    const attempt = t.attempts ? `attempt ${t.attempts}` : '';
    return `${ICON[t.status]} ${t.id.padEnd(idW)}  ${LABEL[t.status].padEnd(7)}  ${attempt.padEnd(10)} ${doing(t).padEnd(22)} ${time.padStart(6)} ${tok ? `${kilo(tok)} tok` : ''}`.trimEnd();
  });
  if (shown.length < all.length) lines.push(`  … ${all.length - shown.length} more tasks`);

  const n = (...st: TaskState['status'][]) => all.filter((t) => st.includes(t.status)).length;
  const u = all.reduce((acc, t) => ({
    i: acc.i + t.usage.inputTokens + t.liveUsage.inputTokens, o: acc.o + t.usage.outputTokens + t.liveUsage.outputTokens,
    c: acc.c + t.usage.costUsd + t.liveUsage.costUsd,
  }), { i: 0, o: 0, c: 0 });
  const totals = `merged ${n('merged')} · running ${n('running', 'integrating')} · waiting ${n('pending', 'queued')} · failed ${n('failed')} · skipped ${n('skipped')}`
    + ` │ tokens ${kilo(u.i)} in / ${kilo(u.o)} out │ $${u.c.toFixed(4)}`;
  const merges = `merge log: ${s.mergeOrder.join(' → ') || '(nothing merged yet)'}`;
  return [header, ...lines, totals, merges].map(fit).join('\n');
}
