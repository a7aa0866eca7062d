import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { debuglog } from 'node:util';
import { DEFAULT_RUN_SETTINGS, INTEGRATION_DIR, runInputs, TaskSchema, runDir, type NewRunEvent, type RunState, type TaskJob } from '@caid/core';
import type { Repo } from '@caid/git';
import { batchIntegrator, TestGate } from '@caid/integrator';
import { schedule } from '@caid/scheduler';
import type { RunLog } from './run-log.js';
import { cleanupRun, worktreeRetirer } from './cleanup-run.js';
import { reopenAfterRetirement } from './reopen-after-retirement.js';
import { integrationSetup } from './integration-setup.js';
import { integrationStep, type StepAgentResult } from './integration-step.js';
import { integrationWorktree } from './integration-worktree.js';
import { replanHook } from './replan-hook.js';
import { undeclaredWrites } from './undeclared-writes.js';
import { relayTranscripts } from './relay-transcripts.js';
import { remoteSync } from './remote-sync.js';
import type { DriveOptions } from './run-plan.js';
import { logger, withLogContext } from '@caid/log';

const oplog = logger('orchestrator');

const debug = debuglog('caid');

/**
 * Drives a started run to its end from the state its log folds to: opens the test gate on the
 * integration head, schedules the tasks, integrates each result, and cleans up. The integration
 * worktree is checked out only if something needs it (verify, scaffold, review, a replan).
 */
export function driveRun(repo: Repo, log: RunLog, o: DriveOptions): Promise<RunState> {
  // Every operational log line written while this run goes carries its id.
  return withLogContext({ runId: log.current.runId }, async () => {
    oplog.info({ tasks: Object.keys(log.current.tasks).length, remote: Boolean(o.remote) }, 'run driving');
    const final = await drive(repo, log, o);
    oplog.info({ status: final.status, head: final.head }, 'run finished');
    return final;
  });
}

async function drive(repo: Repo, log: RunLog, o: DriveOptions): Promise<RunState> {
  const start = log.current;
  const { runId } = start;
  // The recorded settings (as a resume left them) say what the run drives with.
  const inputs = runInputs(start);
  const { worktreeRoot, verify } = inputs;
  // Verify runs in the integration worktree: it needs the same dependencies as the tasks'.
  const setup = inputs.setup && verify ? inputs.setup : undefined;
  // One integration worktree per batch that may verify at once; the first also serves scaffold, review and replan.
  const lanes = Array.from({ length: Math.max(1, o.verifyConcurrency ?? 1) }, (_, i) => integrationWorktree(repo, {
    runId, worktreeRoot, prepare: o.prepare, ...(i ? { name: `${INTEGRATION_DIR}-${i + 1}` } : {}),
    setup: setup ? (dir) => integrationSetup(setup, dir, o.prepare?.setupTimeoutMs, o.signal).catch((e: Error) => {
      log.append({ type: 'run.finished', status: 'failed', commit: log.current.head, reason: 'setup-failed', message: e.message });
      throw e;
    }) : undefined,
  }));
  const integration = lanes[0]!;
  const emit = async (e: Parameters<RunLog['append']>[0]) => {
    const { event, state } = log.append(e);
    o.onEvent?.(event, state);
    return state;
  };

  const verifyTimeoutMs = o.limits?.verifyTimeoutMs ?? DEFAULT_RUN_SETTINGS.limits.verifyTimeoutMin * 60_000;
  // The base's verify runs while the first tasks do (only merging waits for it): a suite that takes
  // minutes must not hold every agent back. If the gate cannot open, the run stops as failed.
  // Its worktree is added and set up first, before any task: git's add races other git commands
  // that read every worktree (a listing, `branch -f`) while its admin dir is half made, and a setup
  // may write to the repository's .git (`pre-commit install`, `git lfs install`, submodules), which
  // a task's isolation check would take for its agent's doing. Only the verify runs beside the tasks.
  if (verify) await integration.at();
  let gate: TestGate | undefined;
  let gateError: Error | undefined;
  const gateFailed = new AbortController();
  const baseDone = new AbortController();
  const opening = verify ? (async () => {
    const started = Date.now();
    try {
      gate = await TestGate.open(verify, (await integration.at()).path, o.gate, {
        timeoutMs: verifyTimeoutMs, signal: AbortSignal.any([...(o.signal ? [o.signal] : []), baseDone.signal]), reportPath: o.verifyReport,
      });
    } catch (e) {
      gateError = e as Error;
      gateFailed.abort();
      return undefined;
    }
    // Ctrl-C (or a run that ended first) during the base's verify: its cut-short result says nothing
    // about the base, and a mode recorded from it ("verify fails on the base (exit ?)") would bind
    // every resume. None is recorded.
    if (o.signal?.aborted || baseDone.signal.aborted) return undefined;
    // A resumed run keeps the mode it started with, and the reason it was chosen then.
    const reason = o.resume && !o.verifyChanged && start.gate?.mode === gate.mode ? start.gate?.reason : undefined;
    await emit({ type: 'run.gate', mode: gate.mode, reason: reason ?? gate.reason, tests: gate.baseCounts });
    return Date.now() - started;
  })() : undefined;
  const runSignal = AbortSignal.any([...(o.signal ? [o.signal] : []), gateFailed.signal]);
  // Built once the gate is open: the schedule starts no batch before.
  let integrateBatch: ReturnType<typeof batchIntegrator> | undefined;
  const integrator = () => integrateBatch ??= batchIntegrator({
    repo, runId, gate, verifyTimeoutMs, signal: o.signal, worktree: (at, lane = 0) => lanes[lane]!.at(at), lanes: lanes.length,
    pending: () => Object.values(log.current.tasks).filter((t) => !log.current.mergeOrder.includes(t.id)).map((t) => ({ taskId: t.id, files: t.files ?? [] })),
    merged: () => log.current.mergeOrder.map((id) => ({ taskId: id, files: log.current.tasks[id]?.files ?? [] })),
    onVerify: (taskIds, output) => saveQuietly(path.join(repo.root, runDir(runId), `verify-${taskIds.length === 1 ? taskIds[0] : `batch-${log.current.batches ?? 0}`}.log`), output),
  });
  const step = (kind: 'scaffold' | 'review', agent: (dir: string) => Promise<StepAgentResult>) => integrationStep({
    kind, agent, repo, runId, worktree: (at) => integration.at(at), gate,
    onVerify: (output) => saveQuietly(path.join(repo.root, runDir(runId), `verify-${kind}.log`), output),
  });
  // A resumed run that already scaffolded (or merged anything) does not scaffold again.
  if (o.scaffold && !start.steps?.some((x) => x.kind === 'scaffold') && !start.mergeOrder.length) {
    // The scaffold is verified like a merge: it needs the open gate.
    await opening;
    if (gateError) {
      await emit({ type: 'run.finished', status: 'failed', commit: log.current.head, ...gateFailure(gateError) });
      throw gateError;
    }
    await emit(await step('scaffold', o.scaffold));
  }
  const review = o.review;
  // Distributed: workers reach the repository through `remote`; the coordinator keeps the transcripts.
  const remote = o.remote ?? start.remote;
  const sync = remote ? remoteSync(repo, runId, remote) : undefined;
  await sync?.publishIntegration();
  const makeJob = (taskId: string, attempt: number, round: TaskJob['round']): TaskJob => {
    const task = log.current.tasks[taskId]!;
    const job: TaskJob = {
      runId, repo: repo.root, worktreeRoot, task, attempt, round, setup: inputs.setup, verify, prepare: o.prepare,
      usedTokens: task.usage.inputTokens + task.usage.outputTokens,
      ...(o.conflictWarnings ? { conflictWarnings: o.conflictWarnings } : {}),
    };
    // A remote job carries only what a worker needs: the task itself, the remote and where to start.
    if (!remote) return job;
    return { ...job, task: TaskSchema.parse(job.task), remote, base: log.current.head, ...(round.kind !== 'start' && task.commit ? { head: task.commit } : {}) };
  };
  // Distributed workers keep task worktrees on their own machines; only local ones are retired here.
  const retirer = remote ? undefined : worktreeRetirer(repo, worktreeRoot, runId, { keep: inputs.workers });
  const queue = remote ? relayTranscripts(o.queue, repo.root, log.secrets) : reopenAfterRetirement(o.queue, (taskId) => retirer!.settledFor(taskId));
  // Numbered here, not from the log: two batches in flight may both start before either is logged.
  let batchNo = log.current.batches ?? 0;
  const final = await schedule({
    state: log.current, emit, queue, makeJob, signal: runSignal, resume: o.resume, shouldStop: o.shouldStop,
    batchMax: o.batchMax, batchWait: o.batchWait, opening, pipeline: lanes.length,
    failure: () => gateError && gateFailure(gateError),
    integrate: async (results, state, hooks) => {
      for (const r of results) retirer?.expect(r.taskId);
      const merged = new Set<string>();
      try {
        for (const r of results) await sync?.fetchTask(r.taskId, r.commit);
        const items = results.map((result) => ({ result, task: state.tasks[result.taskId] ?? {}, fromConflict: state.tasks[result.taskId]?.round === 'conflict' }));
        await integrator()(items, {
          event: hooks.event,
          nextBatch: () => ++batchNo,
          report: async (result, outcome) => {
            if (outcome.kind === 'merged') {
              await sync?.publishIntegration();
              retirer?.retire(result.taskId);
              merged.add(result.taskId);
            }
            await hooks.report(result, outcome);
            if (outcome.kind === 'merged') await warnUndeclared(result.taskId, outcome.taskCommit, state, hooks.event);
          },
        });
      } finally {
        for (const r of results) if (!merged.has(r.taskId)) retirer?.unexpect(r.taskId);
      }
    },
    limits: { conflictRounds: o.limits?.conflictRounds ?? DEFAULT_RUN_SETTINGS.limits.conflictRounds, verifyAttempts: o.limits?.verifyAttempts ?? DEFAULT_RUN_SETTINGS.limits.verifyAttempts },
    replan: o.replan ? replanHook(o.replan, o.maxReplans ?? DEFAULT_RUN_SETTINGS.planner.maxReplans, async () => (await integration.at()).path) : undefined,
    beforeFinish: review ? async (s) => (s.mergeOrder.length ? step('review', (dir) => review(dir, s)) : null) : undefined,
  });
  // A run that ended before its base verify did (every task failed) does not wait for it.
  baseDone.abort();
  await opening;
  await retirer?.settled();
  await cleanupRun(repo, final, lanes.map((l) => l.path));
  // Not needed any more, and not worth failing a finished run over.
  await sync?.dropCommitRefs().catch(oplog.dropped('could not drop the per-commit refs (harmless: `caid clean` removes them)'));
  // The run is recorded as failed; the caller still hears why, as when the gate opened first.
  if (gateError) throw gateError;
  return final;
}

/** How a run whose gate could not open ends: the verify on the base could not run. */
function gateFailure(e: Error): { reason: string; message: string } {
  return { reason: 'gate-failed', message: e.message };
}

/**
 * A merged task whose own commits wrote outside its declared `files` (possibly files another task
 * declared): not refused, since the gate judged the result, but logged and shown in the summary.
 */
async function warnUndeclared(taskId: string, taskCommit: string, state: RunState, event: (e: NewRunEvent) => Promise<void>): Promise<void> {
  const task = state.tasks[taskId];
  if (!task) return;
  let paths: string[];
  try {
    paths = await undeclaredWrites(state.repo, state.baseCommit, taskCommit, taskId, task.files ?? []);
  } catch (e) {
    // A warning only: a git failure here must not stop the merge queue.
    debug('undeclared-writes check of %s failed: %s', taskId, (e as Error).message);
    return;
  }
  if (paths.length === 0) return;
  const declaredBy = Object.fromEntries(paths.flatMap((p) => {
    const owner = Object.values(state.tasks).find((t) => t.id !== taskId && (t.files ?? []).includes(p));
    return owner ? [[p, owner.id]] : [];
  }));
  await event({ type: 'task.undeclared-writes', taskId, paths, ...(Object.keys(declaredBy).length ? { declaredBy } : {}) });
}

/** Verify logs are for reading later; failing to save one (disk full) must not stop the run by itself. */
function saveQuietly(file: string, text: string): void {
  try {
    writeFileSync(file, text);
  } catch (err) {
    // the next run-log append reports the disk problem and stops the run cleanly
    oplog.dropped('could not save a verify log', { file })(err);
  }
}
