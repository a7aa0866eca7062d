import { runInputs, testProgress, type RunState } from '@caid/core';

/** The pull request's title: the run's goal on one line. */
export function prTitle(s: RunState): string {
  const line = s.goal.split('\n').map((l) => l.trim()).find(Boolean) ?? `caid run ${s.runId}`;
  return line.length > 120 ? `${line.slice(0, 117)}...` : line;
}

/** The pull request's body: what the run did, from its log (tasks, tests, conflicts, send-backs, tokens, cost). */
export function prBody(s: RunState): string {
  const tasks = s.order.map((id) => s.tasks[id]!);
  const conflicts = tasks.reduce((n, t) => n + t.conflicts, 0);
  const sendBacks = tasks.reduce((n, t) => n + t.verifyFailures, 0);
  const tokens = s.usage.inputTokens + s.usage.outputTokens;
  const { verify } = runInputs(s);
  const lines = [
    `Made by [caid](https://github.com/caid-dev/caid) run \`${s.runId}\`: ${tasks.filter((t) => t.status === 'merged').length} of ${tasks.length} tasks merged into \`${s.branch}\`${verify ? `, each merge gated on \`${verify}\`` : ''}.`,
    '',
    '| task | status | rounds | conflicts | send-backs | tests after merge |',
    '|---|---|---|---|---|---|',
    ...tasks.map((t) => `| ${t.id}: ${cell(t.title ?? '')} | ${t.status} | ${t.attempts} | ${t.conflicts} | ${t.verifyFailures} | ${t.tests ? `${t.tests.passed}/${t.tests.total}` : ''} |`),
    '',
    `- Tests passing: ${testProgress(s) ?? 'no per-test report'}`,
    `- Conflicts resolved by the agent that caused them: ${conflicts}`,
    `- Send-backs after a failed verify: ${sendBacks}`,
    `- Tokens: ${tokens.toLocaleString('en-US')} (${s.usage.inputTokens.toLocaleString('en-US')} in, ${s.usage.outputTokens.toLocaleString('en-US')} out); cost: $${s.usage.costUsd.toFixed(4)}`,
  ];
  return `${lines.join('\n')}\n`;
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\s+/g, ' ');
