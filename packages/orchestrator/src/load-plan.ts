import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { InputError, PlanSchema, planProblems, type Plan } from '@caid/core';

/** Reads a YAML or JSON plan file; any problem is an InputError listing every issue found. */
export async function loadPlan(file: string): Promise<Plan> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read plan file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new InputError(`plan file ${file} is not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${(e as Error).message.split('\n')[0]}`);
  }
  return validatePlan(raw, file);
}

export function validatePlan(raw: unknown, source = 'plan'): Plan {
  const parsed = PlanSchema.safeParse(raw);
  if (!parsed.success) {
    throw new InputError(`invalid plan in ${source}:`, parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`));
  }
  const problems = planProblems(parsed.data);
  if (problems.length) throw new InputError(`invalid plan in ${source}:`, problems);
  return parsed.data;
}

export type { z };
