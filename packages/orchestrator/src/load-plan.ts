import { issueLines, readDataFile } from './read-data-file.js';
import { InputError, PlanSchema, planProblems, unknownKeyProblems, type Plan } from '@caid/core';

/** Reads a YAML or JSON plan file; any problem is an InputError listing every issue found. */
export async function loadPlan(file: string): Promise<Plan> {
  const raw = readDataFile(file, 'plan');
  // An empty (or comments-only) file parses to null: say that, not "expected object, received null".
  if (raw === null || raw === undefined) throw new InputError(`plan file ${file} is empty: it needs a goal and tasks (see README "Plan files", or write one with caid plan "your goal")`);
  return validatePlan(raw, file);
}

export function validatePlan(raw: unknown, source = 'plan'): Plan {
  const unknown = unknownKeyProblems(raw, PlanSchema);
  if (unknown.length) throw new InputError(`invalid plan in ${source}:`, unknown);
  const parsed = PlanSchema.safeParse(raw);
  if (!parsed.success) {
    throw new InputError(`invalid plan in ${source}:`, issueLines(parsed.error));
  }
  const problems = planProblems(parsed.data);
  if (problems.length) throw new InputError(`invalid plan in ${source}:`, problems);
  return parsed.data;
}

