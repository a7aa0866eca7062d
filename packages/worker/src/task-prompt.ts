import type { TaskJob } from '@caid/core';

export const SYSTEM_PROMPT = `You are a software engineer on a team whose work is coordinated by caid.
You work alone in your own git worktree (your current directory); other engineers work on other tasks in parallel, and caid merges everyone's work.
Work only through the tools. Keep to your task and the files it names; do not reformat or rewrite code you do not need to change.
Run the project's tests before you finish. Do not run git commit, merge, rebase or reset: caid commits your work when you call finish.
When the task is done, call finish with a short summary of what you changed.`;

/** The system prompt, followed by the repository's instructions for agents when it has any. */
export function systemPrompt(instructions: { file: string; text: string }[]): string {
  if (!instructions.length) return SYSTEM_PROMPT;
  const parts = instructions.map((i) => `## From ${i.file}\n\n${i.text}`);
  return `${SYSTEM_PROMPT}\n\n# Repository instructions\nThe project's maintainers wrote these for coding agents; follow them unless they contradict your task.\n\n${parts.join('\n\n')}`;
}

/** The first user message: the task's prompt verbatim, then what the agent needs to know to work. */
export function taskMessage(job: TaskJob): string {
  const t = job.task;
  const lines = [`# Task ${t.id}${t.title ? `: ${t.title}` : ''}`, '', t.prompt, '', '## Working notes'];
  if (t.files.length) lines.push(`- Files this task is expected to touch: ${t.files.join(', ')}. Other engineers own other files.`);
  if (t.dependsOn.length) lines.push(`- Already merged into your starting point: the work of ${t.dependsOn.join(', ')}.`);
  if (t.verify) lines.push(`- Your task's own check is \`${t.verify}\`: caid runs it in your worktree when you call finish, and refuses to finish while it fails.`);
  if (job.verify) lines.push(`- After your work is merged, caid runs \`${job.verify}\` on the integrated code; it must pass. Run it yourself first.`);
  lines.push('- Call finish when done; caid commits your changes.');
  return lines.join('\n');
}

export function conflictMessage(paths: string[], otherSide: string): string {
  return [
    'Your branch hit a merge conflict with the integration branch, which has moved on since you started.',
    'caid has merged the integration head into your worktree; the merge is in progress and these paths have conflict markers:',
    ...paths.map((p) => `- ${p}`),
    '',
    'What the other side changed in those paths:',
    otherSide,
    '',
    'Resolve every conflict by keeping both your changes and theirs (never drop work other engineers merged), remove all conflict markers (<<<<<<<, =======, >>>>>>>), run the tests, then call finish. caid will not commit while markers remain.',
  ].join('\n');
}

export function verifyFailedMessage(command: string, output: string, conflictNote: string): string {
  return [
    `Your work was merged into the integration branch, but the verify command \`${command}\` failed on the integrated code, so caid took the merge back.`,
    'caid has merged the current integration head into your worktree, so you now see exactly what failed.',
    conflictNote,
    'The end of the verify output:',
    '```',
    output,
    '```',
    `Fix the cause, run \`${command}\` yourself until it passes, then call finish.`,
  ].filter(Boolean).join('\n');
}

/** A send-back of a task that had merged: its own code fails tests now that the suite runs. */
export function reopenMessage(tests: readonly string[], output: string, conflictNote: string): string {
  return [
    'Your work was merged into the integration branch earlier, while the test suite could not run yet. Your merged code fails these tests once the suite runs (the failures end in files your task owns; a file path or "(collection)" means the suite cannot even load, because an import fails in your code):',
    ...tests.map((t) => `- ${t}`),
    'caid has merged the current integration head into your worktree, so you see all the code that landed since.',
    conflictNote,
    'The failures:',
    '```',
    output,
    '```',
    'Fix your code so these tests pass (run them yourself), then call finish.',
  ].filter(Boolean).join('\n');
}
