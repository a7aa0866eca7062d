import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { RUN_ID, TASK_ID, runDir, transcriptPath } from '@caid/core';
import { eventsFile, isAlive, listRunIds, readOwner, RunLog } from '@caid/orchestrator';
import { logger } from '@caid/log';

const clog = logger('cli');

/**
 * Read-only access to a repository's runs for the dashboard. Every path is built from a run id
 * and a task id that passed the id rules and name a known run and one of its tasks, so a request
 * can never name a file of its own choosing.
 */
export class RunFiles {
  constructor(readonly repoRoot: string) {}

  hasRun(runId: string): boolean {
    return RUN_ID.test(runId) && listRunIds(this.repoRoot).includes(runId);
  }

  hasTask(runId: string, taskId: string): boolean {
    return TASK_ID.test(taskId) && this.hasRun(runId) && taskId in RunLog.open(this.repoRoot, runId).current.tasks;
  }

  eventsFile(runId: string): string {
    return eventsFile(this.repoRoot, runId);
  }

  /**
   * A log that says running is only running while a live process holds the run's lock (as
   * `caid runs` and `caid status` say): a run killed with -9 never wrote `run.finished`.
   */
  liveness(runId: string, folded = RunLog.open(this.repoRoot, runId).current.status): { status: string; live: boolean } {
    const owner = readOwner(this.repoRoot, runId);
    const live = Boolean(owner && isAlive(owner));
    return { status: folded === 'running' && !live ? 'interrupted' : folded, live };
  }

  /** Newest first, with what the run list shows. */
  list() {
    return listRunIds(this.repoRoot).reverse().map((runId) => {
      const s = RunLog.open(this.repoRoot, runId).current;
      const tasks = Object.values(s.tasks);
      const { status, live } = this.liveness(runId, s.status);
      return {
        runId, goal: s.goal, status, live, startedAt: s.startedAt, finishedAt: s.finishedAt, tasks: tasks.length,
        merged: tasks.filter((t) => t.status === 'merged').length, failed: tasks.filter((t) => t.status === 'failed').length,
        costUsd: s.usage.costUsd, tokens: s.usage.inputTokens + s.usage.outputTokens,
      };
    });
  }

  /** The task's transcript records; a torn last line (a killed run) is skipped. */
  transcript(runId: string, taskId: string): unknown[] {
    const file = path.join(this.repoRoot, transcriptPath(runId, taskId));
    if (!existsSync(file)) return [];
    return readFileSync(file, 'utf8').split('\n').flatMap((line) => {
      try {
        return line.trim() ? [JSON.parse(line) as unknown] : [];
      } catch (err) {
        clog.debug({ err, file }, 'transcript line is not JSON (torn by a kill): skipped');
        return [];
      }
    });
  }

  /** The output of the task's last verify run (the orchestrator writes `verify-<taskId>.log`). */
  verifyLog(runId: string, taskId: string): string | null {
    const file = path.join(this.repoRoot, runDir(runId), `verify-${taskId}.log`);
    return existsSync(file) ? readFileSync(file, 'utf8') : null;
  }
}
