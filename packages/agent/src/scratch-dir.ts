import { mkdirSync } from 'node:fs';
import path from 'node:path';

/**
 * HOME and TMPDIR inside a task's scratch folder: tools that write caches or dotfiles (npm,
 * pip, git config --global) stay inside the task, and nothing in the user's home is readable
 * through `~`.
 */
export function scratchEnv(scratchDir: string): Record<string, string> {
  const home = path.join(scratchDir, 'home');
  const tmp = path.join(scratchDir, 'tmp');
  mkdirSync(home, { recursive: true });
  mkdirSync(tmp, { recursive: true });
  return { HOME: home, TMPDIR: tmp, TMP: tmp, TEMP: tmp, XDG_CONFIG_HOME: path.join(home, '.config'), XDG_CACHE_HOME: path.join(home, '.cache') };
}
