import { integrationBranch, nextProbe, type IntegrationOutcome, type NewRunEvent, type Task, type TaskResult } from '@caid/core';
import type { Repo, Worktree } from '@caid/git';
import { tailOutput } from '@caid/agent';
import { runVerify } from './run-verify.js';
import { integrationHead, moveIntegrationBranch } from './integration-branch.js';
import type { GateBaseline, GateVerdict, TestGate } from './test-gate.js';
import type { PendingTask } from './attribute-failure.js';

export interface IntegratorOptions {
  repo: Repo;
  runId: string;
  /**
   * A detached integration worktree checked out at `head` (made on first use): only merges that
   * run checks need one. `lane` (0 to lanes - 1) picks one of several, one per batch in flight.
   */
  worktree: (head: string, lane?: number) => Promise<Worktree>;
  /** Batches that may verify at once, each in its own worktree (default 1; the scheduler's `pipeline`). */
  lanes?: number;
  /** The run-level verify, as a gate; none means merges are accepted as they are. */
  gate?: TestGate;
  verifyTimeoutMs: number;
  signal?: AbortSignal;
  /** Tasks not merged yet and their files, for the gate to tell a failure waiting on them from a regression. */
  pending?: () => readonly PendingTask[];
  /** Tasks merged already and their files, for the gate to reopen one whose own code fails once the suite runs. */
  merged?: () => readonly PendingTask[];
  /** Receives the verify output of every verify run, named by the tasks it covered. */
  onVerify?: (taskIds: string[], output: string) => void;
}

export interface BatchItem {
  result: TaskResult;
  task: Pick<Task, 'title' | 'verify'>;
  /** The round that produced `result` resolved a merge conflict. */
  fromConflict?: boolean;
}

export type BatchEvent = Extract<NewRunEvent, { type: 'batch.started' | 'batch.verified' | 'batch.bisected' }>;

export interface BatchHooks {
  /** Each task's outcome, as soon as it is known: a landed prefix is reported before the rest is searched. */
  report: (result: TaskResult, outcome: IntegrationOutcome) => Promise<void>;
  event: (e: BatchEvent) => Promise<void>;
  /** Number of the batch about to start (the run log's count + 1, so ids survive a resume). */
  nextBatch: () => number;
}

interface Link { item: BatchItem; commit: string }
type Check = { accepted: true; verdict?: GateVerdict } | { accepted: false; verdict?: GateVerdict; culprit?: Link; outcome: Extract<IntegrationOutcome, { kind: 'verify-failed' }> };

/**
 * The merge queue's integrator. Every waiting task is merged onto the verified head, one merge
 * commit on the next (objects only: `merge-tree` + `commit-tree`), and verify runs once on the
 * batch's tip. Green: the branch moves (compare-and-swap) to the tip. Red: the first red prefix is
 * found by halving, the green prefix before it lands, its last task goes back to its agent with
 * the failures it alone caused, and the rest is rebuilt without it and verified again. A task
 * that conflicts with the batch is taken out and sent to its conflict round; the rest goes on.
 * The branch only ever points at verified commits, and no task starts from anything else.
 */
export function batchIntegrator(o: IntegratorOptions) {
  const branch = integrationBranch(o.runId);
  const checks = (items: BatchItem[]) => Boolean(o.gate || items.some((i) => i.task.verify));
  const stop = () => Boolean(o.signal?.aborted);

  /** Verify at `commit`, which holds `links`: the gate, then each task's own verify. */
  const verifyAt = async (commit: string, links: Link[], lane: number, probe?: { against?: GateBaseline }): Promise<Check> => {
    const wt = await o.worktree(commit, lane);
    const ids = links.map((l) => l.item.result.taskId);
    // A probe inside a search is judged against the longest prefix known green, so a culprit is
    // held only to the tests it alone broke; probes are not rerun (the batch's red already was).
    const all = o.pending?.() ?? [];
    const context = { pending: all.filter((p) => !ids.includes(p.taskId)), merging: all.filter((p) => ids.includes(p.taskId)), merged: (o.merged?.() ?? []).filter((p) => !ids.includes(p.taskId)) };
    const verdict = o.gate ? await o.gate.evaluate(wt.path, probe ? { against: probe.against, retry: false, context } : { context }) : undefined;
    if (verdict) o.onVerify?.(ids, verdict.output);
    if (verdict && !verdict.report.accepted) {
      return { accepted: false, verdict, outcome: { kind: 'verify-failed', command: o.gate!.command, exitCode: verdict.exitCode, output: verdict.output, gate: verdict.report } };
    }
    for (const l of links) {
      if (!l.item.task.verify || stop()) continue;
      const run = await runVerify(l.item.task.verify, { cwd: wt.path, timeoutMs: o.verifyTimeoutMs, signal: o.signal });
      // A task's own check names its culprit: no search needed.
      if (run.exitCode !== 0) return { accepted: false, verdict, culprit: l, outcome: { kind: 'verify-failed', command: l.item.task.verify, exitCode: run.exitCode, output: tailOutput(run.output), gate: verdict?.report } };
    }
    return { accepted: true, verdict };
  };

  /**
   * Moves the branch to the last of `links` and reports each as merged; the gate's report goes with
   * the last. A branch caid cannot move fails those tasks with the reason, and the head stays.
   */
  const land = async (links: Link[], from: string, verdict: GateVerdict | undefined, h: BatchHooks) => {
    const tip = links.at(-1)!.commit;
    const blocked = await moveIntegrationBranch(o.repo, branch, tip, from);
    if (blocked) {
      for (const l of links) await h.report(l.item.result, { kind: 'failed', reason: blocked });
      return from;
    }
    if (verdict) o.gate?.advance(verdict);
    for (const [i, l] of links.entries()) {
      const last = i === links.length - 1;
      await h.report(l.item.result, { kind: 'merged', commit: l.commit, taskCommit: l.item.result.commit!, ...(last && verdict ? { gate: verdict.report } : {}) });
    }
    return tip;
  };

  /**
   * Merges `items` one on the next from `base` (the verified `head`, or the tip of the batch below
   * this one while that one verifies). One that conflicts with the verified head is reported and
   * left out; one that conflicts only with work not verified yet (earlier in this batch, or in the
   * batch below) is deferred to the next round, since that work may not land.
   */
  const chain = async (items: BatchItem[], base: string, head: string, h: BatchHooks): Promise<{ links: Link[]; deferred: BatchItem[] }> => {
    const links: Link[] = [];
    const deferred: BatchItem[] = [];
    let tip = base;
    for (const item of items) {
      const { result } = item;
      const tree = await o.repo.mergeTree(tip, result.commit!);
      if (!tree.ok && tip !== head && (await o.repo.mergeTree(head, result.commit!)).ok) {
        deferred.push(item);
        continue;
      }
      if (!tree.ok) {
        // A resolution that no longer contains the verified head was overtaken by other work, not botched.
        const stale = Boolean(item.fromConflict) && !(await o.repo.isAncestor(head, result.commit!));
        await h.report(result, { kind: 'conflict', paths: tree.conflicts, ...(stale ? { stale } : {}) });
        continue;
      }
      const message = `caid: merge task ${result.taskId}${item.task.title ? ` (${item.task.title})` : ''}`;
      tip = await o.repo.commitTree(tree.tree, [tip, result.commit!], message);
      links.push({ item, commit: tip });
    }
    return { links, deferred };
  };

  /** Whether `v` keeps every test that passes on the current head (a verdict judged on an older one). */
  const coversHead = (v: GateVerdict | undefined) => !v || !o.gate || [...o.gate.current().passing].every((id) => v.baseline.passing.has(id));

  // The batch in flight below the next one: the commit it means to land, and when it is done.
  // `latest` is the tip it means to land now: a rebuilt batch publishes again, and a finished one
  // has landed or given up, so a batch above must not build on its first (now stale) tip.
  let last: { tip: Promise<string>; finished: Promise<void>; latest: string; done: boolean } | undefined;
  let calls = 0;

  /**
   * Integrates one batch. With several lanes, a batch that starts while the one below it verifies
   * is merged on top of that batch's tip and verified at the same time; it lands only once the one
   * below has landed exactly that tip (and, under no-regression, still keeps every test passing
   * there), otherwise it is rebuilt on the new head and verified again.
   */
  return async function integrateBatch(items: BatchItem[], h: BatchHooks): Promise<void> {
    const lane = calls++ % Math.max(1, o.lanes ?? 1);
    let first!: (tip: string) => void;
    let finish!: () => void;
    const mine = { tip: new Promise<string>((r) => { first = r; }), finished: new Promise<void>((r) => { finish = r; }), latest: '', done: false };
    const publish = (tip: string) => { mine.latest = tip; first(tip); };
    const below = last;
    last = mine;
    try {
      await integrateOn(items, h, lane, below, publish);
    } finally {
      mine.done = true;
      publish('');
      finish();
    }
  };

  async function integrateOn(items: BatchItem[], h: BatchHooks, lane: number, below: typeof last, publish: (tip: string) => void): Promise<void> {
    if (below) await below.tip;
    let spec = below && !below.done ? below.latest || undefined : undefined;
    if (below && !spec) await below.finished;
    let head = await integrationHead(o.repo, branch);
    if (!head) throw new Error(`cannot integrate: ${branch} is missing`);
    /** Waits for the batch below; true if the branch is now at the tip this batch was built on. */
    const settle = async (): Promise<boolean> => {
      await below!.finished;
      const now = await integrationHead(o.repo, branch);
      if (!now) throw new Error(`cannot integrate: ${branch} is missing`);
      const landed = now === spec;
      [head, spec] = [now, undefined];
      return landed;
    };
    let rest: BatchItem[] = [];
    for (const item of items) {
      if (!item.result.commit) throw new Error(`cannot integrate ${item.result.taskId}: missing task commit`);
      // Resumed after a crash between moving the branch and logging it: the merge is already there.
      if (await o.repo.isAncestor(item.result.commit, head)) await h.report(item.result, { kind: 'merged', commit: head, taskCommit: item.result.commit });
      else rest.push(item);
    }
    const verifying = checks(rest);
    while (rest.length && !stop()) {
      const { links, deferred } = await chain(rest, spec ?? head, head, h);
      publish(links.at(-1)?.commit ?? spec ?? head);
      const unlanded = [...links.map((l) => l.item), ...deferred];
      if (!links.length) {
        rest = deferred;
        if (spec === undefined) break;
        await settle();
        continue;
      }
      if (!verifying) {
        if (spec !== undefined && !(await settle())) {
          rest = unlanded;
          continue;
        }
        head = await land(links, head, undefined, h);
        rest = deferred;
        continue;
      }
      const batch = h.nextBatch();
      const ids = (ls: Link[]) => ls.map((l) => l.item.result.taskId);
      await h.event({ type: 'batch.started', batch, tasks: ids(links), base: spec ?? head });
      const whole = await verifyAt(links.at(-1)!.commit, links, lane);
      if (stop()) return;
      await h.event({ type: 'batch.verified', batch, tasks: ids(links), commit: links.at(-1)!.commit, accepted: whole.accepted, probe: false });
      if (spec !== undefined && (!(await settle()) || (whole.accepted && !coversHead(whole.verdict)))) {
        // The batch below did not land as this one assumed: what was verified here is moot.
        rest = unlanded;
        continue;
      }
      rest = deferred;
      if (whole.accepted) {
        head = await land(links, head, whole.verdict, h);
        continue;
      }
      // Red: find the first red prefix. `lo` tasks are known green (0: the verified head).
      let lo = 0;
      let hi = links.length;
      let red: Extract<Check, { accepted: false }> = whole;
      let green: GateVerdict | undefined;
      if (whole.culprit) {
        hi = links.indexOf(whole.culprit) + 1;
        lo = hi - 1;
      }
      for (let mid = nextProbe(lo, hi); mid !== null && !stop(); mid = nextProbe(lo, hi)) {
        const probe = await verifyAt(links[mid - 1]!.commit, links.slice(0, mid), lane, { against: green?.baseline });
        if (stop()) return;
        await h.event({ type: 'batch.verified', batch, tasks: ids(links.slice(0, mid)), commit: links[mid - 1]!.commit, accepted: probe.accepted, probe: true });
        if (probe.accepted) [lo, green] = [mid, probe.verdict];
        else [hi, red] = [mid, probe];
      }
      if (stop()) return;
      const culprit = links[hi - 1]!;
      // A prefix green on its own lands; but when the culprit came from a task's own check, the
      // prefix before it was never verified alone, so it is rebuilt and verified with the rest.
      const landed = whole.culprit || lo === 0 ? [] : links.slice(0, lo);
      await h.event({ type: 'batch.bisected', batch, landed: ids(landed), culprit: culprit.item.result.taskId });
      if (landed.length) head = await land(landed, head, green, h);
      await h.report(culprit.item.result, red.outcome);
      rest = [...[...links.slice(landed.length, hi - 1), ...links.slice(hi)].map((l) => l.item), ...deferred];
    }
  }
}
