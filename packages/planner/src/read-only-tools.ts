import { builtinTools, type Tool } from '@caid/agent';

const READ_ONLY = new Set(['list_files', 'read_file', 'search']);

/** The built-in tools that only look: the planner may study the repository, never change it. */
export function readOnlyTools(root: string): Tool[] {
  return builtinTools(root).filter((t) => READ_ONLY.has(t.spec.name));
}
