import { startScriptedModel, type Conversation, type ScriptedReply, type ScriptedModelServer } from '@caid/llm/testing';
import { SHARED_FILE, type Commit0Task, type EvalVariant } from './commit0-plan.js';

/**
 * Appended to a module for the wrong first attempt: the module still imports (so other modules
 * and test collection work), but every function and method it defines raises, with the
 * traceback ending in this file, so the tests of this file fail and the gate can name the cause.
 */
export const WRONG_TAIL = `

# caid eval: a deliberately wrong first attempt
def _caid_eval_wrong(name):
    def wrong(*args, **kwargs):
        raise RuntimeError("caid eval: deliberately wrong first attempt at " + name)
    return wrong
for _caid_name, _caid_value in list(globals().items()):
    if getattr(_caid_value, '__module__', None) != __name__ or _caid_name.startswith('_caid'):
        continue
    if type(_caid_value).__name__ == 'function':
        globals()[_caid_name] = _caid_eval_wrong(_caid_name)
    elif isinstance(_caid_value, type):
        for _caid_attr, _caid_member in list(vars(_caid_value).items()):
            if type(_caid_member).__name__ == 'function' and not _caid_attr.startswith('__'):
                try:
                    setattr(_caid_value, _caid_attr, _caid_eval_wrong(_caid_attr))
                except (AttributeError, TypeError):
                    pass
`;

// Resolving a shared-file conflict by keeping both sides: drop the marker lines (and a diff3 base).
const KEEP_BOTH = (file: string) =>
  `awk '/^<<<<<<< /{next} /^\\|\\|\\|\\|\\|\\|\\| /{skip=1; next} /^=======$/{skip=0; next} /^>>>>>>> /{next} !skip' ${file} > ${file}.caid && mv ${file}.caid ${file}`;

export interface OracleOptions {
  tasks: Commit0Task[];
  reference: Map<string, string>;
  variant: EvalVariant;
  /** Fixed wait before every reply, to play a model of that latency. */
  latencyMs: number;
}

const call = (name: string, args: unknown) => ({ name, arguments: args });
const taskOf = (c: Conversation) => /^# Task ([a-z0-9-]+)/m.exec(c.firstUser)?.[1];

/**
 * The oracle agent: a scripted model served over real HTTP whose first reply to a task writes
 * each of the task's files with the reference text (wrong-first: a broken version, then the
 * reference after the send-back), and which resolves shared-file conflicts by keeping both sides.
 */
export async function startOracleModel(o: OracleOptions): Promise<ScriptedModelServer> {
  const byId = new Map(o.tasks.map((t) => [t.id, t]));
  const writes = (t: Commit0Task, wrong: boolean) => t.files.filter((f) => f !== SHARED_FILE).map((f) =>
    call('write_file', { path: f, content: `${o.reference.get(f) ?? ''}${wrong ? WRONG_TAIL : ''}` }));
  const note = (t: Commit0Task) => call('run', { command: `printf '%s\\n' '- ${t.id}: implemented ${t.files.filter((f) => f !== SHARED_FILE).join(' ')}' >> ${SHARED_FILE}` });
  const reply = (c: Conversation): ScriptedReply => {
    const t = byId.get(taskOf(c) ?? '');
    if (!t) return { content: 'caid eval oracle: this conversation names no task of the plan', toolCalls: [call('finish', { summary: 'unknown task' })] };
    const finish = { toolCalls: [call('finish', { summary: `implemented ${t.files.join(', ')}` })] };
    if (c.stepInRound > 0) return finish;
    if (c.assistantTurns === 0) {
      const first = [...writes(t, o.variant === 'wrong-first'), ...(o.variant === 'shared-file' ? [note(t)] : [])];
      return { toolCalls: first };
    }
    if (c.lastUser.includes('merge conflict')) {
      const conflicted = [...c.lastUser.matchAll(/^- (\S+)/gm)].map((m) => m[1]!);
      const calls = conflicted.map((f) => (o.reference.has(f) ? call('write_file', { path: f, content: o.reference.get(f)! }) : call('run', { command: KEEP_BOTH(f) })));
      return { toolCalls: calls.length ? calls : finish.toolCalls };
    }
    // A send-back after a failed verify (or any other new round): the reference, verbatim.
    return { toolCalls: writes(t, false) };
  };
  return startScriptedModel({ rules: [{ name: 'oracle', when: () => true, reply: (c) => ({ ...reply(c), delayMs: o.latencyMs }) }] });
}
