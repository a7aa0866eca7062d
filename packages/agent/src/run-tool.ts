import { z } from 'zod';
import { defineTool, type Tool } from './define-tool.js';
import { runShell } from './run-shell.js';
import type { SandboxKind } from './sandbox.js';
import { scratchEnv } from './scratch-dir.js';
import { clipOutput } from './clip-output.js';

export interface RunToolOptions {
  defaultTimeoutSec: number;
  maxTimeoutSec: number;
  env?: Record<string, string>;
  /** HOME and TMPDIR of every command live here (per task), never the user's home. */
  scratchDir?: string;
  sandbox?: SandboxKind;
  /** Folders of the worktree bound read-only under bwrap (hard-linked shares). */
  readOnly?: string[];
  /** Folders outside the worktree bound read-only under bwrap even below /tmp (the main checkout). */
  visible?: string[];
}

export function runTool(root: string, o: RunToolOptions): Tool {
  return defineTool({
    name: 'run',
    description: `Run a shell command in the worktree root (bash -c). Returns the exit code and output. Default timeout ${o.defaultTimeoutSec}s.`,
    schema: z.object({ command: z.string().min(1), timeoutSec: z.number().positive().optional() }),
    async execute({ command, timeoutSec }, ctx) {
      const sec = Math.min(timeoutSec ?? o.defaultTimeoutSec, o.maxTimeoutSec);
      const scratch = o.scratchDir ? scratchEnv(o.scratchDir) : {};
      const writable = [root, ...(o.scratchDir ? [o.scratchDir] : [])];
      const r = await runShell(command, {
        cwd: root, timeoutMs: sec * 1000, env: { ...o.env, ...scratch }, signal: ctx.signal,
        ...(o.sandbox === 'bwrap' ? { sandbox: { kind: 'bwrap' as const, writable, readOnly: o.readOnly ?? [], visible: o.visible ?? [] } } : {}),
      });
      const status = r.timedOut ? `timed out after ${sec}s (process group killed)` : r.cancelled ? 'cancelled' : `exit code ${r.exitCode}`;
      return `${status}\n${clipOutput(r.output)}`;
    },
  });
}
