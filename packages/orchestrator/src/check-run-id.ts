import { existsSync } from 'node:fs';
import path from 'node:path';
import { InputError, RUN_ID, runDir } from '@caid/core';
import type { Repo } from '@caid/git';

/** A new run must not reuse an id: its folder and `caid/<runId>/…` branches must not exist yet. */
export async function checkRunIdFree(repo: Repo, runId: string): Promise<void> {
  if (!RUN_ID.test(runId)) throw new InputError(`run id "${runId}" is not valid: letters, digits, '.', '_' and '-', not all digits, no '..', not ending in '.lock' or '.' (git's ref rules), at most 64 characters`);
  if (existsSync(path.join(repo.root, runDir(runId)))) throw new InputError(`run ${runId} already exists in ${repo.root}; use \`caid resume ${runId}\` or another id`);
  const inTheWay = await repo.listBranches(`caid/${runId}/`);
  if (inTheWay.length) throw new InputError(`branch ${inTheWay[0]!.name} is in the way of run ${runId}; caid will not overwrite it (delete it or use another run id)`);
}
