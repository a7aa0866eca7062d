import { realpathSync } from 'node:fs';
import { z } from 'zod';
import { defineTool, type Tool } from './define-tool.js';
import { walkFiles } from './walk-files.js';
import { clipOutput } from './clip-output.js';
import { NoFileError, readBeneath, writeBeneath } from './open-beneath.js';

const MAX_READ = 200_000;
const MAX_LIST = 500;

/**
 * The file tools. Every path is opened component by component beneath the worktree without the
 * kernel following a link (open-beneath.ts), so there is no check-then-open window to race.
 */
export function fileTools(root: string): Tool[] {
  const realRoot = realpathSync(root);
  return [
    defineTool({
      name: 'read_file',
      description: 'Read a text file of the worktree. Paths are relative to the worktree root.',
      schema: z.object({ path: z.string().min(1) }),
      async execute({ path: p }) {
        const got = noFile(p, () => readBeneath(realRoot, p, MAX_READ + 1));
        if (typeof got === 'string') return got;
        return got.size > MAX_READ ? clipOutput(got.text, MAX_READ) : got.text;
      },
    }),
    defineTool({
      name: 'write_file',
      description: 'Create or overwrite a file with the given content; parent folders are created.',
      schema: z.object({ path: z.string().min(1), content: z.string() }),
      async execute({ path: p, content }) {
        writeBeneath(realRoot, p, content);
        return `Wrote ${Buffer.byteLength(content)} bytes to ${p}`;
      },
    }),
    defineTool({
      name: 'edit_file',
      description: 'Replace one exact occurrence of `old` with `new` in a file. `old` must occur exactly once.',
      schema: z.object({ path: z.string().min(1), old: z.string().min(1), new: z.string() }),
      async execute({ path: p, old, new: replacement }) {
        const got = noFile(p, () => readBeneath(realRoot, p));
        if (typeof got === 'string') return got;
        const count = got.text.split(old).length - 1;
        if (count !== 1) return `Error: \`old\` occurs ${count} times in ${p}; it must occur exactly once. Read the file and quote a unique passage.`;
        // Written back by the path actually read, so a link cannot redirect the write elsewhere.
        writeBeneath(realRoot, got.rel, got.text.replace(old, () => replacement));
        return `Edited ${p}`;
      },
    }),
    defineTool({
      name: 'list_files',
      description: 'List files under a folder of the worktree (default: the root), skipping .git and dependency folders.',
      schema: z.object({ path: z.string().optional() }),
      async execute({ path: p }) {
        const out: string[] = [];
        const listed = noFile(p ?? '.', () => {
          for (const f of walkFiles(realRoot, p ?? '.')) {
            if (out.length === MAX_LIST) { out.push(`[... more than ${MAX_LIST} files; list a subfolder]`); break; }
            out.push(f);
          }
          return out;
        });
        if (typeof listed === 'string') return listed;
        return out.length ? out.join('\n') : '(no files)';
      },
    }),
  ];
}

/** A missing file or folder is an answer for the model, not an error; escapes still throw. */
export function noFile<T>(given: string, f: () => T): T | string {
  try {
    return f();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (e instanceof NoFileError || code === 'ENOENT' || code === 'ENOTDIR') return `Error: no file at "${given}"`;
    throw e;
  }
}
