import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Files where projects keep instructions for coding agents, in the order they are read. */
export const INSTRUCTION_FILES = ['AGENTS.md', 'CLAUDE.md', '.github/copilot-instructions.md'];
const MAX_CHARS = 20_000;

/**
 * The repository's own instructions for coding agents, as found in the task's worktree (which is
 * the integration head, so a task that edits AGENTS.md changes it for later tasks only).
 */
export function repoInstructions(dir: string): { file: string; text: string }[] {
  const out: { file: string; text: string }[] = [];
  for (const file of INSTRUCTION_FILES) {
    const abs = path.join(dir, file);
    if (!existsSync(abs)) continue;
    const text = readFileSync(abs, 'utf8').trim();
    if (text) out.push({ file, text: text.length > MAX_CHARS ? `${text.slice(0, MAX_CHARS)}\n[... cut at ${MAX_CHARS} characters]` : text });
  }
  return out;
}
