import { readFile, stat } from 'node:fs/promises';
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { confinePath } from './confine-path.js';
import { defineTool, type Tool } from './define-tool.js';
import { walkFiles } from './walk-files.js';

const MAX_MATCHES = 200;
const MAX_FILE = 1_000_000;

export function searchTool(root: string): Tool {
  const realRoot = realpathSync(root);
  return defineTool({
    name: 'search',
    description: 'Search file contents with a regular expression (JavaScript syntax); prints path:line: text.',
    schema: z.object({ pattern: z.string().min(1), path: z.string().optional() }),
    async execute({ pattern, path: p }) {
      let re: RegExp;
      try {
        re = new RegExp(pattern);
      } catch (e) {
        return `Error: invalid regular expression: ${(e as Error).message}`;
      }
      const abs = confinePath(realRoot, p ?? '.');
      const files = (await stat(abs)).isFile() ? [path.relative(realRoot, abs)] : walkFiles(realRoot, abs);
      const out: string[] = [];
      for await (const f of files) {
        const full = path.join(realRoot, f);
        if ((await stat(full)).size > MAX_FILE) continue;
        const text = await readFile(full, 'utf8');
        if (text.includes('\0')) continue;
        const lines = text.split('\n');
        for (let i = 0; i < lines.length; i++) {
          if (!re.test(lines[i]!)) continue;
          if (out.length === MAX_MATCHES) return `${out.join('\n')}\n[... more than ${MAX_MATCHES} matches; narrow the pattern or path]`;
          out.push(`${f}:${i + 1}: ${lines[i]!.slice(0, 300)}`);
        }
      }
      return out.length ? out.join('\n') : 'No matches.';
    },
  });
}
