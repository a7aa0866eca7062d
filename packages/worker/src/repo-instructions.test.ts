import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoInstructions } from './repo-instructions.js';
import { SYSTEM_PROMPT, systemPrompt } from './task-prompt.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'caid-instr-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('repository instructions', () => {
  it('reads AGENTS.md, CLAUDE.md and .github/copilot-instructions.md into the system prompt', () => {
    expect(repoInstructions(dir)).toEqual([]);
    expect(systemPrompt([])).toBe(SYSTEM_PROMPT);
    writeFileSync(path.join(dir, 'AGENTS.md'), 'Use pnpm.\n');
    writeFileSync(path.join(dir, 'CLAUDE.md'), '   \n');
    mkdirSync(path.join(dir, '.github'));
    writeFileSync(path.join(dir, '.github/copilot-instructions.md'), 'x'.repeat(25_000));
    const found = repoInstructions(dir);
    expect(found.map((f) => f.file)).toEqual(['AGENTS.md', '.github/copilot-instructions.md']);
    expect(found[1]!.text).toMatch(/\[\.\.\. cut at 20000 characters\]$/);
    const prompt = systemPrompt(found);
    expect(prompt.startsWith(SYSTEM_PROMPT)).toBe(true);
    expect(prompt).toMatch(/# Repository instructions[\s\S]*## From AGENTS\.md\n\nUse pnpm\.[\s\S]*## From \.github\/copilot-instructions\.md/);
  });
});
