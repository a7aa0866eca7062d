import type { RunEvent, RunState } from '@caid/core';

const clock = (at: string) => at.slice(11, 19);
const short = (sha: string) => sha.slice(0, 10);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** One plain line per meaningful event, for humans, on stderr. */
export function progressLine(e: RunEvent, s: RunState): string | null {
  const t = 'taskId' in e ? s.tasks[e.taskId] : undefined;
  const counts = () => {
    const all = Object.values(s.tasks);
    const n = (st: string[]) => all.filter((x) => st.includes(x.status)).length;
    return `[${n(['merged'])}/${all.length} merged, ${n(['running', 'queued', 'integrating'])} active]`;
  };
  switch (e.type) {
    case 'run.started':
      return `${clock(e.at)} run ${e.runId}: ${plural(e.tasks.length, 'task')}, ${plural(e.workers, 'worker')}, branch ${e.branch} from ${short(e.baseCommit)}${e.verify ? `, verify \`${e.verify}\`` : ''}`;
    case 'task.started':
      return `${clock(e.at)} ▶ ${e.taskId} started (attempt ${e.attempt})`;
    case 'task.finished':
      return e.status === 'done'
        ? `${clock(e.at)} ● ${e.taskId} finished in ${e.steps} steps; integrating`
        : `${clock(e.at)} ✖ ${e.taskId} agent stopped: ${e.reason}${e.message ? ` (${e.message})` : ''}`;
    case 'task.merged':
      return `${clock(e.at)} ✔ ${e.taskId} merged as ${short(e.commit)} ${counts()}`;
    case 'task.conflict':
      return `${clock(e.at)} ⚠ ${e.taskId} conflicts on ${e.paths.join(', ')}; back to its agent (conflict round ${t?.conflicts ?? 1})`;
    case 'task.conflict-warning':
      return `${clock(e.at)} ⚑ ${e.taskId} would conflict on ${e.paths.join(', ')}${e.tasks.length ? ` (merged: ${e.tasks.join(', ')})` : ''}; its agent was told at step ${e.step}`;
    case 'task.verify-failed':
      return `${clock(e.at)} ⚠ ${e.taskId} failed verify (exit ${e.exitCode}); merge taken back, sent back to its agent`;
    case 'task.reopened':
      return `${clock(e.at)} ↺ ${e.taskId} reopened: its merged code fails ${e.tests.join(', ')}${e.by ? ` (revealed by ${e.by}'s merge)` : ''}; back to its agent`;
    case 'task.failed':
      return `${clock(e.at)} ✖ ${e.taskId} failed: ${e.reason}`;
    case 'task.skipped':
      return `${clock(e.at)} ⤼ ${e.taskId} skipped: blocked by ${e.blockedBy}`;
    case 'run.gate':
      return `${clock(e.at)} gate: ${e.mode} (${e.reason})`;
    case 'task.gate': {
      const counts = e.tests ? `${e.tests.passed}/${e.tests.total} tests pass` : 'no per-test report';
      const waits = e.waiting?.length ? `; waiting: ${e.waiting.map((w) => `${w.test} on ${w.task ?? `a stub at ${w.at}`}`).join(', ')}` : '';
      const flaky = `${e.flaky.length ? `; flaky: ${e.flaky.join(', ')}` : ''}${waits}`;
      return e.accepted
        ? `${clock(e.at)}   gate ok for ${e.taskId}: ${counts}${flaky}`
        : `${clock(e.at)}   gate refused ${e.taskId}: ${counts}${e.newlyFailing.length ? `; newly failing: ${e.newlyFailing.join(', ')}` : ''}${flaky}`;
    }
    case 'plan.revised':
      return `${clock(e.at)} ↻ plan revised after ${e.failedTaskId} failed: ${e.tasks.map((x) => x.id).join(', ') || '(no tasks)'} to run${e.dropped.length ? `; dropped ${e.dropped.join(', ')}` : ''}`;
    case 'run.step':
      return `${clock(e.at)} ${e.outcome === 'committed' ? '✔' : e.outcome === 'rejected' ? '✖' : '•'} ${e.kind} ${e.outcome}${e.commit ? ` as ${short(e.commit)}` : ''}${e.message ? `: ${e.message.split('\n')[0]}` : ''}`;
    case 'run.finished':
      return `${clock(e.at)} run ${e.status}: integration head ${short(e.commit)}`;
    default:
      return null;
  }
}
