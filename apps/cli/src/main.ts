#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { CancelledError, InputError, RunError, secretRedactor } from '@caid/core';
import { runCommand } from './run-command.js';
import { statusCommand } from './status-command.js';
import { abortCommand, cleanCommand, runsCommand } from './manage-commands.js';
import { planCommand } from './plan-command.js';
import { serveCommand } from './serve-command.js';
import { addOptionGroups, settingsFromFlags } from './option-groups.js';
import { setupLogging } from './setup-logging.js';
import { ignoreClosedPipes } from './closed-pipes.js';
import type { LogFormat } from '@caid/log';
import { DOCTOR_GROUPS, PLAN_GROUPS, RESUME_GROUPS, RUN_GROUPS, WORKER_GROUPS } from './command-groups.js';

/** dist/main.js and bundle/main.js both sit one folder below package.json, in a checkout and when installed. */
function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

ignoreClosedPipes();

const program = new Command('caid')
  .description('Multi-agent coding orchestrator: plan → parallel agents in git worktrees → test-gated integration')
  .version(packageVersion())
  .exitOverride()
  // One line after a bad flag or command, not the whole help: the error is what the user needs to see.
  .showHelpAfterError('(caid --help lists the commands; caid <command> --help its options)')
  .hook('preAction', (_program, action) => { setupLogging(action.name(), action.opts().logFormat as LogFormat | undefined); });

program
  .command('run')
  .description('run a plan: agents in parallel worktrees, merged into caid/<runId>/integration')
  .argument('[goal]', 'what to build: the planner turns it into a plan first (or pass --plan)')
  .option('--plan <file>', 'plan file (YAML or JSON)')
  .option('--base <ref>', 'commit the integration branch starts from', 'HEAD')
  .option('--run-id <id>', 'name the run (default: a timestamp); refused if its branches exist')
  .option('--remote <url>', 'with --queue redis://…: the git remote workers clone and push to (default: the repository itself)')
  .option('--ui', 'serve the web dashboard while the run goes and print its address')
  .option('--ui-port <n>', 'port of the --ui dashboard (a free one if taken)', '4400')
  .option('--no-preflight', 'skip the check that each model endpoint answers before the run is created');
addOptionGroups(program.commands.at(-1)!, RUN_GROUPS)
  .action(async (goal, flags, cmd: Command) => { process.exitCode = await runCommand(goal, { ...flags, given: settingsFromFlags(cmd) }); });

program
  .command('plan')
  .description('turn a goal into a validated task graph and write it as a plan file; or draw one with --show')
  .argument('[goal]', 'what to build')
  .option('--out <file>', 'where to write the plan (.yaml or .json) (default: plan.yaml at the repository root)')
  .option('--force', 'overwrite --out if it exists')
  .option('--verify <cmd>', 'the test command the plan must keep green (default: detected)')
  .option('--show <file>', 'draw an existing plan file instead of planning')
  .option('--format <format>', 'text, mermaid or dot', 'text');
addOptionGroups(program.commands.at(-1)!, PLAN_GROUPS)
  .action(async (goal, flags, cmd: Command) => { process.exitCode = await planCommand(goal, { ...flags, given: settingsFromFlags(cmd) }); });

program
  .command('status')
  .description('show a run (default: the newest) folded from its event log')
  .argument('[runId]')
  .option('--repo <dir>', 'the git repository', '.')
  .option('--json', 'print JSON (with the run\'s settings)')
  .option('--settings', 'also print the settings the run was started (or last resumed) with')
  .action(async (runId, flags) => { process.exitCode = await statusCommand(runId, flags); });

program
  .command('runs')
  .description('list the runs of a repository with their status')
  .option('--repo <dir>', 'the git repository', '.')
  .option('--json', 'print JSON')
  .action(async (flags) => { process.exitCode = await runsCommand(flags); });

program
  .command('logs')
  .description('what a run did (default: the newest): its progress lines replayed from the event log, or with --task one agent\'s conversation')
  .argument('[runId]')
  .option('--repo <dir>', 'the git repository', '.')
  .option('--task <id>', 'print this task\'s agent transcript (messages and tool calls)')
  .option('--json', 'print the raw JSONL lines (events, or the transcript with --task)')
  .action(async (runId, flags) => { process.exitCode = await (await import('./logs-command.js')).logsCommand(runId, flags); });

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
  .option('--stall-timeout <seconds>', 'a job whose worker went silent this long is rerun by another worker', '30')
  .option('--no-preflight', 'skip the check that each model endpoint answers before taking jobs');
// Loaded on use, so runs with in-process workers never load the Redis client.
addOptionGroups(program.commands.at(-1)!, WORKER_GROUPS);
// A worker has no repository: its config file is found where it runs.
program.commands.at(-1)!.options.find((o) => o.long === '--config')!.description = 'config file (default: caid.config.yaml|json in the current directory)';
program.commands.at(-1)!
  .action(async (flags, cmd: Command) => { process.exitCode = await (await import('./worker-command.js')).workerCommand({ ...flags, given: settingsFromFlags(cmd) }); });

program
  .command('land')
  .description('bring a finished run home: into your branch (fast-forward or merge), pushed, or as a pull request')
  .argument('<runId>')
  .option('--repo <dir>', 'the git repository', '.')
  .option('--into <branch>', 'the branch to land in (default: the branch the run started from)')
  .option('--ff-only', 'only fast-forward; refuse if the branch has moved on')
  .option('--merge', 'always make a merge commit')
  .option('--squash', 'one commit with the whole result')
  .option('--push <remote>', 'push the integration branch to this remote')
  .option('--pr', 'open a pull request with the GitHub CLI (gh); pushes to --push or origin')
  .option('--partial', 'land a run that did not succeed (its verified merges)')
  .option('--json', 'print the outcome as JSON')
  .action(async (runId, flags) => { process.exitCode = await (await import('./land-command.js')).landCommand(runId, flags); });

program
  .command('init')
  .description('find a local model server (Ollama, llama.cpp, vLLM, LM Studio) and write a commented caid.config.yaml and a starter plan.yaml; exit 2 if they exist (--force overwrites)')
  .option('--repo <dir>', 'the git repository', '.')
  .option('--force', 'overwrite caid.config.yaml and plan.yaml')
  .action(async (flags) => { process.exitCode = await (await import('./init-command.js')).initCommand(flags); });

program
  .command('doctor')
  .description('check this machine and repository: git, worktree root, bubblewrap, Redis, each model endpoint (tool calls, context), agent CLIs; exit 1 if a required check fails')
  .option('--json', 'print the checks as one JSON object');
addOptionGroups(program.commands.at(-1)!, DOCTOR_GROUPS)
  .action(async (flags, cmd: Command) => { process.exitCode = await (await import('./doctor-command.js')).doctorCommand({ ...flags, given: settingsFromFlags(cmd) }); });

program
  .command('resume')
  .description('continue a run that stopped (Ctrl-C, caid abort, killed, crashed, disk full) with the settings it started with; finished work is not redone')
  .argument('<runId>');
addOptionGroups(program.commands.at(-1)!, RESUME_GROUPS, { recorded: true })
  .action(async (runId, flags, cmd: Command) => { process.exitCode = await (await import('./resume-command.js')).resumeCommand(runId, { ...flags, given: settingsFromFlags(cmd) }); });

program
  .command('eval')
  .description('check caid on your machine: benchmarks with an oracle agent')
  .command('commit0')
  .description('build a Commit0 library from its stubs with an oracle agent that writes the reference; score it by its own tests')
  .requiredOption('--lib <dir>', 'local clone of a Commit0 library')
  .option('--stub-ref <ref>', 'the stubbed code (default: commit0_combined, then commit0, then HEAD)')
  .option('--reference <ref>', 'the reference implementation (default: the stub commit\'s parent)')
  .option('--variant <name>', 'clean | wrong-first | shared-file', 'clean')
  .option('--edges <which>', 'the plan\'s dependencies: imports (the import graph, as caid plans) | none (every task ready at once)', 'imports')
  .option('--workers <n>', 'agents at once (the run is also timed at 1 worker)', '4')
  .option('--latency-ms <n>', 'fixed wait of the oracle model per call', '2000')
  .option('--no-one-worker', 'skip the 1-worker run (only the --workers one)')
  .option('--keep-logs <dir>', 'copy each run\'s events.jsonl into this folder')
  .option('--batch-max <n>', 'most finished tasks the merge queue verifies together (default: caid run\'s)')
  .option('--verify-concurrency <n>', 'batches verified at once (default: caid run\'s)')
  .option('--json', 'print one JSON report on stdout')
  .action(async (flags) => { process.exitCode = await (await import('./eval-command.js')).evalCommit0Command(flags); });


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
