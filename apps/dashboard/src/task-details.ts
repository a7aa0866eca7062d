import type { PageState } from './fold-page.js';
import { displayStatus, emptyHistory, statusWord } from './fold-page.js';
import { clock, cost, duration, usageText } from './format.js';
import { transcriptView, type TranscriptRecord } from './transcript-view.js';
import { h } from './element.js';

/** A task's files, fetched from the server when its panel is open. */
export interface TaskFiles {
  transcript: TranscriptRecord[];
  verifyLog: string | null;
}

const row = (k: string, v: string | Node) => [h('dt', {}, k), h('dd', {}, v)];

/** Everything about one task: prompt, rounds, conflicts, verify output, transcript, tokens and cost. */
export function taskDetails(p: PageState, id: string, files: TaskFiles | undefined, now: string): HTMLElement {
  const t = p.run.tasks[id]!;
  const hist = p.history[id] ?? emptyHistory();
  const u = t.usage;
  const live = t.liveUsage;
  return h('section', { class: 'details', id: 'details', 'data-task': id },
    h('h2', {}, id, ' ', h('span', { class: `badge status-${displayStatus(t.status)}` }, statusWord(t, p.run, p.dead))),
    t.title ? h('p', { class: 'task-title' }, t.title) : null,
    h('dl', {},
      ...row('attempts', String(t.attempts)), ...row('conflicts', String(t.conflicts)), ...row('failed verifies', String(t.verifyFailures)),
      ...(t.reopens ? row('reopened', String(t.reopens)) : []),
      ...row('tokens', usageText({ ...u, inputTokens: u.inputTokens + live.inputTokens, outputTokens: u.outputTokens + live.outputTokens })),
      ...row('cost', cost(u.costUsd + live.costUsd)),
      ...row('time', t.startedAt ? `${clock(t.startedAt)} → ${clock(t.mergedAt ?? t.finishedAt)} (${duration(t.startedAt, t.finishedAt ?? now)})` : 'not started'),
      ...row('depends on', t.dependsOn.join(', ') || '—'), ...row('files', t.files.join(', ') || '—'),
      ...(t.step && t.status === 'running' ? row('now', `step ${t.step}${t.tool ? `: ${t.tool}` : ''}`) : []),
      ...(t.reason ? row('reason', t.reason) : []),
      ...(t.mergeCommit ? row('merge commit', t.mergeCommit) : [])),
    h('h3', {}, 'Prompt'), h('pre', { class: 'prompt' }, t.prompt),
    h('h3', {}, 'Rounds'),
    hist.rounds.length
      ? h('table', { class: 'rounds' }, h('tr', {}, ...['attempt', 'kind', 'started', 'finished', 'steps', 'outcome'].map((c) => h('th', {}, c))),
        ...hist.rounds.map((r) => h('tr', {}, ...[String(r.attempt), r.kind, clock(r.startedAt), clock(r.finishedAt), String(r.steps ?? ''), r.outcome ?? ''].map((c) => h('td', {}, c)))))
      : h('p', { class: 'muted' }, 'Not started yet.'),
    hist.conflicts.length ? h('h3', {}, 'Conflicts') : null,
    hist.conflicts.length ? h('ul', { class: 'conflicts' }, ...hist.conflicts.map((c) => h('li', {}, `${clock(c.at)}: ${c.paths.join(', ')}`))) : null,
    hist.warnings.length ? h('h3', {}, 'Conflict warnings') : null,
    hist.warnings.length ? h('ul', { class: 'conflict-warnings' }, ...hist.warnings.map((w) => h('li', {},
      `${clock(w.at)} step ${w.step}: would conflict on ${w.paths.join(', ')} with ${w.tasks.join(', ') || 'the integration head'}; its agent was told`))) : null,
    hist.verifyFailures.length ? h('h3', {}, 'Failed verifies') : null,
    ...hist.verifyFailures.map((v) => h('div', { class: 'verify-failure' },
      h('div', {}, `${clock(v.at)} \`${v.command}\` exit ${v.exitCode}`), h('pre', { class: 'verify-output' }, v.output))),
    hist.reopens.length ? h('h3', {}, 'Reopened after merging') : null,
    ...hist.reopens.map((r) => h('div', { class: 'reopen' },
      h('div', {}, `${clock(r.at)}${r.by ? ` (shown by ${r.by}'s merge)` : ''}: its code fails ${r.tests.join(', ')}`), h('pre', { class: 'verify-output' }, r.output))),
    h('h3', {}, 'Last verify output'),
    files ? (files.verifyLog === null ? h('p', { class: 'muted' }, 'No verify run for this task yet.') : h('pre', { class: 'verify-log' }, files.verifyLog)) : h('p', { class: 'muted' }, 'loading…'),
    h('h3', {}, 'Agent transcript'),
    files ? transcriptView(files.transcript) : h('p', { class: 'muted' }, 'loading…'));
}
