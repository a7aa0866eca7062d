#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { CancelledError, InputError } from '@caid/core';
import { runCommand } from './run-command.js';
import { statusCommand } from './status-command.js';

const program = new Command('caid')
  .description('Multi-agent coding orchestrator: plan → parallel agents in git worktrees → test-gated integration')
  .version('0.1.0')
  .exitOverride()
  .showHelpAfterError();

program
  .command('run')
  .description('run a plan: agents in parallel worktrees, merged into caid/<runId>/integration')
  .argument('[goal]', 'what to build (planning from a goal comes later; use --plan)')
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
  .option('--max-steps <n>', 'model calls per agent round', '50')
  .option('--task-timeout <minutes>', 'wall time per agent round', '30')
  .option('--conflict-rounds <n>', 'conflict rounds per task before it fails', '2')
  .option('--verify-attempts <n>', 'failed verifies per task before it fails', '2')
  .option('--queue <url>', 'memory (in-process workers) or redis://host:port[/db] (`caid worker` processes on any machine)')
  .option('--remote <url>', 'with --queue redis://…: the git remote workers clone and push to (default: the repository itself)')
  .action(async (goal, flags) => { process.exitCode = await runCommand(goal, { ...flags, worktreeRoot: flags.worktreeRoot ?? process.env.CAID_WORKTREE_ROOT }); });

program
  .command('status')
  .description('show a run (default: the newest) folded from its event log')
  .argument('[runId]')
  .option('--repo <dir>', 'the git repository', '.')
  .option('--json', 'print JSON')
  .action(async (runId, flags) => { process.exitCode = await statusCommand(runId, flags); });

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
  .description('continue a distributed run whose coordinator stopped; finished tasks are not rerun')
  .argument('<runId>')
  .option('--repo <dir>', 'the git repository', '.')
  .option('--queue <url>', 'redis://… (default: the address the run recorded, then $REDIS_URL)')
  .option('--json', 'print exactly one JSON summary on stdout')
  .option('--quiet', 'print only the summary')
  .action(async (runId, flags) => { process.exitCode = await (await import('./resume-command.js')).resumeCommand(runId, flags); });

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    process.exitCode = e.exitCode === 0 ? 0 : 2;
  } else if (e instanceof InputError) {
    process.stderr.write(`caid: ${e.message}\n`);
    process.exitCode = 2;
  } else if (e instanceof CancelledError) {
    process.exitCode = 130;
  } else {
    process.stderr.write(`caid: internal error: ${(e as Error).stack ?? e}\n`);
    process.exitCode = 1;
  }
}
