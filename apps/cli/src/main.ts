#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { CancelledError, InputError, RunError, secretRedactor } from '@caid/core';
import { runCommand } from './run-command.js';
import { statusCommand } from './status-command.js';
import { abortCommand, cleanCommand, runsCommand } from './manage-commands.js';
import { planCommand } from './plan-command.js';
import { serveCommand } from './serve-command.js';
import { addRuntimeOptions } from './runtime-options.js';

const program = new Command('caid')
  .description('Multi-agent coding orchestrator: plan → parallel agents in git worktrees → test-gated integration')
  .version('0.1.0')
  .exitOverride()
  .showHelpAfterError();

program
  .command('run')
  .description('run a plan: agents in parallel worktrees, merged into caid/<runId>/integration')
  .argument('[goal]', 'what to build: the planner turns it into a plan first (or pass --plan)')
  .option('--plan <file>', 'plan file (YAML or JSON)')
  .option('--repo <dir>', 'the git repository', '.')
  .option('--base <ref>', 'commit the integration branch starts from', 'HEAD')
  .option('--workers <n>', 'agents running at once', '3')
  .option('--model <name>', 'model name (default: $CAID_MODEL)')
  .option('--base-url <url>', 'OpenAI-compatible endpoint (default: $OPENAI_BASE_URL or OpenAI)')
  .option('--verify <cmd>', 'command that must pass after every merge (overrides the plan)')
  .option('--json', 'print exactly one JSON summary on stdout')
  .option('--quiet', 'print only the summary')
  .option('--stream', 'stream model replies')
  .option('--worktree-root <dir>', 'where task worktrees live (default: ~/.caid/worktrees/<repo>)')
  .option('--max-steps <n>', 'model calls per agent round (default 50)')
  .option('--task-timeout <minutes>', 'wall time per agent round (default 30)')
  .option('--conflict-rounds <n>', 'conflict rounds per task before it fails', '2')
  .option('--verify-attempts <n>', 'failed verifies per task before it fails', '2')
  .option('--gate <mode>', 'all: verify must pass after each merge; no-regression: no passing test may break (default: from the base)')
  .option('--run-id <id>', 'name the run (default: a timestamp); refused if its branches exist')
  .option('--verify-timeout <minutes>', 'wall time of one verify run', '30')
  .option('--verify-report <path>', 'JUnit XML report your verify writes, for runners caid does not recognise')
  .option('--max-tasks <n>', 'most tasks the planner may use (goal runs and replans)')
  .option('--max-repairs <n>', 'rejected plans the planner may repair before caid gives up')
  .option('--scaffold', 'before the tasks, the planner commits a skeleton (interfaces, stubs, shared files)')
  .option('--review', 'after the last merge, a reviewer agent fixes cross-task mismatches (kept only if verify passes)')
  .option('--replan', 'let the planner revise the rest of the graph when a task fails for good (default for goal runs)')
  .option('--no-replan', 'never replan')
  .option('--max-replans <n>', 'plan revisions per run', '2')
  .option('--ui', 'serve the web dashboard while the run goes and print its address')
  .option('--ui-port <n>', 'port of the --ui dashboard (a free one if taken)', '4400')
  .option('--queue <url>', 'memory (in-process workers) or redis://host:port[/db] (`caid worker` processes on any machine)')
  .option('--remote <url>', 'with --queue redis://…: the git remote workers clone and push to (default: the repository itself)')
  .action(async (goal, flags) => { process.exitCode = await runCommand(goal, { ...flags, worktreeRoot: flags.worktreeRoot ?? process.env.CAID_WORKTREE_ROOT }); });

addRuntimeOptions(program.commands.find((c) => c.name() === 'run')!);

program
  .command('plan')
  .description('turn a goal into a validated task graph and write it as a plan file; or draw one with --show')
  .argument('[goal]', 'what to build')
  .option('--repo <dir>', 'the git repository', '.')
  .option('--out <file>', 'where to write the plan (.yaml or .json)', 'plan.yaml')
  .option('--force', 'overwrite --out if it exists')
  .option('--max-tasks <n>', 'most tasks the plan may have')
  .option('--max-repairs <n>', 'rejected plans the planner may repair before caid gives up')
  .option('--verify <cmd>', 'the test command the plan must keep green (default: detected)')
  .option('--show <file>', 'draw an existing plan file instead of planning')
  .option('--format <format>', 'text, mermaid or dot', 'text')
  .option('--model <name>', 'model name (default: $CAID_MODEL)')
  .option('--base-url <url>', 'OpenAI-compatible endpoint (default: $OPENAI_BASE_URL or OpenAI)')
  .option('--stream', 'stream model replies')
  .action(async (goal, flags) => { process.exitCode = await planCommand(goal, flags); });

program
  .command('status')
  .description('show a run (default: the newest) folded from its event log')
  .argument('[runId]')
  .option('--repo <dir>', 'the git repository', '.')
  .option('--json', 'print JSON')
  .action(async (runId, flags) => { process.exitCode = await statusCommand(runId, flags); });

program
  .command('runs')
  .description('list the runs of a repository with their status')
  .option('--repo <dir>', 'the git repository', '.')
  .option('--json', 'print JSON')
  .action(async (flags) => { process.exitCode = await runsCommand(flags); });

program
  .command('abort')
  .description('stop a run and keep everything (branches, worktrees, logs)')
  .argument('<runId>')
  .option('--repo <dir>', 'the git repository', '.')
  .action(async (runId, flags) => { process.exitCode = await abortCommand(runId, flags); });

program
  .command('clean')
  .description("remove finished runs' worktrees and branches; prints the plan, acts only with --yes")
  .argument('[runId]')
  .option('--repo <dir>', 'the git repository', '.')
  .option('--all', 'every finished run')
  .option('--yes', 'really remove')
  .option('--force', 'also remove worktrees with uncommitted changes and branches with unmerged commits')
  .action(async (runId, flags) => { process.exitCode = await cleanCommand(runId, flags); });

program
  .command('serve')
  .description('serve the read-only web dashboard of the repository\'s runs (default http://127.0.0.1:4400)')
  .option('--repo <dir>', 'the git repository', '.')
  .option('--port <n>', 'port (0 picks a free one)', '4400')
  .option('--host <host>', 'address to listen on; loopback unless you choose otherwise', '127.0.0.1')
  .action(async (flags) => { process.exitCode = await serveCommand(flags); });

program
  .command('worker')
  .description('serve task jobs from a Redis queue (for `caid run --queue redis://…`), on any machine')
  .option('--queue <url>', 'redis://host:port[/db] (default: $REDIS_URL)')
  .option('--concurrency <n>', 'jobs at once', '1')
  .option('--workdir <dir>', 'holds one clone per remote and the task worktrees (default: ~/.caid/worker)')
  .option('--model <name>', 'model name (default: $CAID_MODEL)')
  .option('--base-url <url>', 'OpenAI-compatible endpoint (default: $OPENAI_BASE_URL or OpenAI)')
  .option('--stream', 'stream model replies')
  .option('--max-steps <n>', 'model calls per agent round', '50')
  .option('--task-timeout <minutes>', 'wall time per agent round', '30')
  .option('--stall-timeout <seconds>', 'a job whose worker went silent this long is rerun by another worker', '30')
  // Loaded on use, so runs with in-process workers never load the Redis client.
  .action(async (flags) => { process.exitCode = await (await import('./worker-command.js')).workerCommand(flags); });

program
  .command('resume')
  .description('continue a run whose process stopped (killed, crashed, disk full); finished work is not redone')
  .argument('<runId>')
  .option('--repo <dir>', 'the git repository', '.')
  .option('--queue <url>', 'distributed runs: redis://… (default: the address the run recorded, then $REDIS_URL)')
  .option('--workers <n>', 'in-process runs: agents at once (default: as the run started)')
  .option('--model <name>', 'model name (default: $CAID_MODEL)')
  .option('--base-url <url>', 'OpenAI-compatible endpoint (default: $OPENAI_BASE_URL or OpenAI)')
  .option('--stream', 'stream model replies')
  .option('--max-steps <n>', 'model calls per agent round (default 50)')
  .option('--task-timeout <minutes>', 'wall time per agent round (default 30)')
  .option('--json', 'print exactly one JSON summary on stdout')
  .option('--quiet', 'print only the summary')
  .action(async (runId, flags) => { process.exitCode = await (await import('./resume-command.js')).resumeCommand(runId, flags); });
addRuntimeOptions(program.commands.find((c) => c.name() === 'resume')!);

// Every error message passes the one secret rule (flags such as --base-url may carry a password).
const redact = secretRedactor(process.env, process.argv);
try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    process.exitCode = e.exitCode === 0 ? 0 : 2;
  } else if (e instanceof InputError) {
    process.stderr.write(`caid: ${redact(e.message)}\n`);
    process.exitCode = 2;
  } else if (e instanceof RunError) {
    process.stderr.write(`caid: ${redact(e.message)}\n`);
    // Agents may still be running; with the log unwritable nothing they do could be recorded.
    process.exit(1);
  } else if (e instanceof CancelledError) {
    process.exitCode = 130;
  } else {
    process.stderr.write(`caid: internal error: ${redact(String((e as Error).stack ?? e))}\n`);
    process.exitCode = 1;
  }
}
