import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const RESULTS = path.join(BENCH_DIR, 'RESULTS.md');

const TITLE = '# caid benchmarks\n\nEach benchmark owns one section between its markers and rewrites only that section, so\nbenchmarks (and other teams\' benchmarks) can be run one at a time or all at once with `npm run bench`.\n';

/**
 * Replaces the section `name` of RESULTS.md (between `<!-- bench:name -->` and
 * `<!-- /bench:name -->`), or appends it; every other section is left as it was.
 * Also keeps the raw numbers in `bench/results/<name>.json`.
 */
export function writeSection(name, markdown, raw, file = RESULTS) {
  const open = `<!-- bench:${name} -->`;
  const close = `<!-- /bench:${name} -->`;
  const block = `${open}\n${markdown.trim()}\n${close}`;
  const text = existsSync(file) ? readFileSync(file, 'utf8') : TITLE;
  const start = text.indexOf(open);
  const end = text.indexOf(close);
  const first = text.indexOf('<!-- bench:');
  const next = start >= 0 && end > start
    ? text.slice(0, start) + block + text.slice(end + close.length)
    : name === 'header' && first >= 0 // the header goes above every benchmark's section
      ? `${text.slice(0, first)}${block}\n\n${text.slice(first)}`
      : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, next);
  if (raw !== undefined && file === RESULTS) {
    mkdirSync(path.join(BENCH_DIR, 'results'), { recursive: true });
    writeFileSync(path.join(BENCH_DIR, 'results', `${name}.json`), `${JSON.stringify(raw, null, 2)}\n`);
  }
}
