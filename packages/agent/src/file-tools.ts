import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { confinePath } from './confine-path.js';
import { defineTool, type Tool } from './define-tool.js';
import { walkFiles } from './walk-files.js';
import { clipOutput } from './clip-output.js';
import { logger } from '@caid/log';

const alog = logger('agent');

const MAX_READ = 200_000;
const MAX_LIST = 500;

export function fileTools(root: string): Tool[] {
  const realRoot = realpathSync(root);
  return [
    defineTool({
      name: 'read_file',
      description: 'Read a text file of the worktree. Paths are relative to the worktree root.',
      schema: z.object({ path: z.string().min(1) }),
      async execute({ path: p }) {
        const abs = confinePath(realRoot, p);
        const info = await stat(abs).catch((err: unknown) => { alog.debug({ err, path: p }, 'read_file: cannot stat'); return null; });
        if (!info?.isFile()) return `Error: no file at "${p}"`;
        if (info.size > MAX_READ) return clipOutput(await readFile(abs, 'utf8'), MAX_READ);
        return await readFile(abs, 'utf8');
      },
    }),
    defineTool({
      name: 'write_file',
      description: 'Create or overwrite a file with the given content; parent folders are created.',
      schema: z.object({ path: z.string().min(1), content: z.string() }),
      async execute({ path: p, content }) {
        const abs = confinePath(realRoot, p);
        await mkdir(path.dirname(abs), { recursive: true });
        await writeFile(abs, content);
        return `Wrote ${Buffer.byteLength(content)} bytes to ${p}`;
      },
    }),
    defineTool({
      name: 'edit_file',
      description: 'Replace one exact occurrence of `old` with `new` in a file. `old` must occur exactly once.',
      schema: z.object({ path: z.string().min(1), old: z.string().min(1), new: z.string() }),
      async execute({ path: p, old, new: replacement }) {
        const abs = confinePath(realRoot, p);
        const text = await readFile(abs, 'utf8').catch((err: unknown) => { alog.debug({ err, path: p }, 'edit_file: cannot read'); return null; });
        if (text === null) return `Error: no file at "${p}"`;
        const count = text.split(old).length - 1;
        if (count !== 1) return `Error: \`old\` occurs ${count} times in ${p}; it must occur exactly once. Read the file and quote a unique passage.`;
        await writeFile(abs, text.replace(old, () => replacement));
        return `Edited ${p}`;
      },
    }),
    defineTool({
      name: 'list_files',
      description: 'List files under a folder of the worktree (default: the root), skipping .git and dependency folders.',
      schema: z.object({ path: z.string().optional() }),
      async execute({ path: p }) {
        const abs = confinePath(realRoot, p ?? '.');
        const out: string[] = [];
        for await (const f of walkFiles(realRoot, abs)) {
          if (out.length === MAX_LIST) { out.push(`[... more than ${MAX_LIST} files; list a subfolder]`); break; }
          out.push(f);
        }
        return out.length ? out.join('\n') : '(no files)';
      },
    }),
  ];
}
