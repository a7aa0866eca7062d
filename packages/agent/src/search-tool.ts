import { realpathSync } from 'node:fs';
import { z } from 'zod';
import { defineTool, type Tool } from './define-tool.js';
import { walkFiles } from './walk-files.js';
import { noFile } from './file-tools.js';
import { lexicalRel, readBeneath } from './open-beneath.js';
import { PathEscapeError } from './confine-path.js';

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
      const given = p ?? '.';
      const rel = lexicalRel(realRoot, given);
      // A file is searched alone; otherwise the folder is walked (never through a link).
      const single = noFile(given, () => readBeneath(realRoot, given, MAX_FILE + 1));
      const files = typeof single === 'string' ? walkFiles(realRoot, given) : [rel];
      const out: string[] = [];
      for (const f of files) {
        // Each listed file is opened again beneath the root; a listed link is followed only inside it.
        const got = f === rel && typeof single !== 'string' ? single : listedFile(realRoot, f);
        if (got === null || typeof got === 'string' || got.size > MAX_FILE) continue;
        if (got.text.includes('\0')) continue;
        const lines = got.text.split('\n');
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

/** A listed file, or null when it is gone or a link leading out (skipped, as a walk never enters links). */
function listedFile(realRoot: string, f: string): ReturnType<typeof readBeneath> | null {
  try {
    const got = noFile(f, () => readBeneath(realRoot, f, MAX_FILE + 1));
    return typeof got === 'string' ? null : got;
  } catch (e) {
    if (e instanceof PathEscapeError) return null;
    throw e;
  }
}
