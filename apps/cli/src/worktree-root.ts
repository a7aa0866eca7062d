import path from 'node:path';
import type { Config } from '@caid/core';

/** `worktreeRoot` in the config is relative to the repository; `~/` means the home folder. */
export function worktreeRootFromConfig(config: Config, repoDir: string): string | undefined {
  const root = config.worktreeRoot;
  if (!root) return undefined;
  if (root.startsWith('~/')) return path.join(process.env.HOME ?? '', root.slice(2));
  return path.resolve(repoDir, root);
}
