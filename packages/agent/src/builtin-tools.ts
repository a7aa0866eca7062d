import type { Tool } from './define-tool.js';
import { fileTools } from './file-tools.js';
import { searchTool } from './search-tool.js';
import { runTool } from './run-tool.js';
import { finishTool } from './finish-tool.js';
import type { SandboxKind } from './sandbox.js';

export interface BuiltinToolOptions {
  runTimeoutSec?: number;
  maxRunTimeoutSec?: number;
  /** Extra environment for `run` (never secrets: agentEnv strips those anyway). */
  env?: Record<string, string>;
  /** Per-task folder for HOME and TMPDIR of `run`. */
  scratchDir?: string;
  sandbox?: SandboxKind;
  /**
   * Folders of the worktree (absolute) bound read-only under bwrap: hard-linked shares, whose files
   * are the user's. (write_file never writes through a hard link in any case: it replaces the file.)
   */
  readOnly?: string[];
  /** Folders outside the worktree the sandbox must show read-only (the main checkout: git dir, symlinked shares). */
  visible?: string[];
}

/** The public tool set of ARCHITECTURE.md, bound to one directory. */
export function builtinTools(root: string, o: BuiltinToolOptions = {}): Tool[] {
  return [
    runTool(root, { defaultTimeoutSec: o.runTimeoutSec ?? 120, maxTimeoutSec: o.maxRunTimeoutSec ?? 1800, env: o.env, scratchDir: o.scratchDir, sandbox: o.sandbox, readOnly: o.readOnly, visible: o.visible }),
    ...fileTools(root),
    searchTool(root),
    finishTool(),
  ];
}
