import { runInputs, runStopped, taskWord, testProgress, type RunState } from '@caid/core';

/** The folded run state as a table for `caid status` and the end-of-run summary. */
export function formatState(s: RunState, o: { dead?: boolean } = {}): string {
  // A log that says running with no live process behind it: a killed run, resumable.
  const stopped = runStopped(s.status, o.dead);
  const rows = s.order.map((id) => {
    const t = s.tasks[id]!;
    const merged = s.mergeOrder.indexOf(id);
    const tokens = t.usage.inputTokens + t.usage.outputTokens + t.liveUsage.inputTokens + t.liveUsage.outputTokens;
    // A run that stopped with rounds in flight: those tasks are interrupted (resumable), not running.
    const status = taskWord(t, stopped);
    return [id, status, String(t.attempts), String(t.conflicts), merged >= 0 ? `#${merged + 1}` : '-', String(tokens), `${t.reason ?? ''}${t.superseded ? ' (replaced by a replan)' : ''}`.trim()];
  });
  const head = ['task', 'status', 'attempts', 'conflicts', 'merged', 'tokens', 'note'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const u = s.usage;
  return [
    `run ${s.runId}  status ${o.dead && s.status === 'running' ? 'interrupted (resume it: caid resume ' + s.runId + ')' : s.status}`,
    `branch ${s.branch} at ${s.head.slice(0, 10)} (base ${s.base} ${s.baseCommit.slice(0, 10)})`,
    '',
    line(head),
    ...rows.map(line),
    '',
    `merge order: ${s.mergeOrder.join(' → ') || '(none yet)'}`,
    ...conflictWarningsLine(s),
    ...(s.batches ? [`merge queue: ${s.batches} batch${s.batches === 1 ? '' : 'es'}, ${s.culprits ?? 0} culprit${s.culprits === 1 ? '' : 's'} found`] : []),
    `tokens: ${u.inputTokens} in / ${u.outputTokens} out, cost $${u.costUsd.toFixed(4)}${u.estimated ? ' (partly estimated: a server did not report usage)' : ''}`,
    ...(s.gate ? [`gate: ${s.gate.mode} (${s.gate.reason})`] : []),
    ...(!runInputs(s).verify && !s.order.some((id) => s.tasks[id]!.verify) ? ['gate: no gate (no verify command and no task checks: merges were not tested)'] : []),
    ...(s.testHistory.length ? [`tests passing: ${testProgress(s)}`] : []),
    ...Object.entries(s.undeclared ?? {}).map(([id, u]) => `warning: ${id} wrote outside its declared files: ${u.paths.map((p) => (u.declaredBy?.[p] ? `${p} (declared by ${u.declaredBy[p]})` : p)).join(', ')}`),
    ...(s.status === 'incomplete' ? [`goal not reached: ${s.reasonMessage ?? 'the final tests are not all green'}`] : []),
    ...(s.flaky.length ? [`flaky tests: ${s.flaky.join(', ')}`] : []),
    ...(s.waiting?.length ? [`tests waiting on unfinished code: ${s.waiting.map((w) => `${w.test} (on ${w.task ?? `a stub at ${w.at}`})`).join(', ')}`] : []),
    ...Object.entries(s.byRole ?? {}).map(([role, r]) =>
      `  ${role}: ${r.inputTokens} in / ${r.outputTokens} out, $${r.costUsd.toFixed(4)}, ${(r.modelMs / 1000).toFixed(1)} s waiting for the model`),
  ].join('\n');
}

/** Early conflict warnings sent to agents while they worked, per task (none: no line). */
function conflictWarningsLine(s: RunState): string[] {
  const warned = s.order.filter((id) => s.tasks[id]!.conflictWarnings);
  if (!warned.length) return [];
  const total = warned.reduce((n, id) => n + s.tasks[id]!.conflictWarnings!, 0);
  const who = warned.map((id) => `${id}${s.tasks[id]!.conflictWarnings! > 1 ? ` ×${s.tasks[id]!.conflictWarnings}` : ''}`);
  return [`conflict warnings: ${total} sent while agents worked (${who.join(', ')})`];
}
