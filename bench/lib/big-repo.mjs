import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { git } from './caid-cli.mjs';
import { rng } from './random.mjs';

export const fileOf = (i) => `src/m${String(i % 100).padStart(2, '0')}/f${String(i).padStart(5, '0')}.js`;
export const firstLine = (i) => `// file ${i}`;

/** A repository of `files` generated source files of ~`bytes` each (10,000 x 5 kB = ~50 MB), one commit. */
export function bigRepo(dir, { files = 10_000, bytes = 5_000, seed = 42 } = {}) {
  const rand = rng(seed);
  const word = () => Math.floor(rand() * 2 ** 40).toString(36);
  for (let i = 0; i < files; i++) {
    const file = path.join(dir, fileOf(i));
    mkdirSync(path.dirname(file), { recursive: true });
    const lines = [firstLine(i)];
    let size = lines[0].length;
    while (size < bytes) {
      const line = `export const v${word()} = '${word()}${word()}';`;
      lines.push(line);
      size += line.length + 1;
    }
    writeFileSync(file, `${lines.join('\n')}\n`);
  }
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'gc.auto', '0');
  git(dir, 'add', '-A');
  git(dir, '-c', 'user.name=bench', '-c', 'user.email=bench@localhost', 'commit', '-q', '-m', 'generated');
  return dir;
}
