// The demo's scripted model for a real agent CLI (`npm run demo -- --agent <preset>`): the same
// work as demo-model.mjs, asked for through the CLI's own tools (their names and arguments as the
// pinned versions offer them), and answered in whatever protocol the CLI speaks, through caid's
// metering endpoint. A CLI has no finish tool: a plain text reply ends its round.
import path from 'node:path';
import { SOURCES, INDEX_LAST } from './demo-model.mjs';

const quote = (s) => `'${s.replace(/'/g, `'\\''`)}'`;
// The tool names and arguments of each CLI as the pinned versions offer them; test/agent-clis uses these too.
// codex offers no apply_patch to a model it has no metadata for: its shell is its editing tool.
export const CLI_TOOLS = {
  opencode: { write: (f, content) => ({ name: 'write', arguments: { filePath: f, content } }), shell: (command) => ({ name: 'bash', arguments: { command, description: 'run a command' } }) },
  codex: { write: (f, content) => ({ name: 'exec_command', arguments: { cmd: `mkdir -p ${quote(path.dirname(f))} && printf '%s' ${quote(content)} > ${quote(f)}` } }), shell: (command) => ({ name: 'exec_command', arguments: { cmd: command } }) },
  claude: { write: (f, content, cwd) => ({ name: 'Write', arguments: { file_path: path.join(cwd, f), content } }), shell: (command) => ({ name: 'Bash', arguments: { command, description: 'run a command' } }) },
  pi: { write: (f, content) => ({ name: 'write', arguments: { path: f, content } }), shell: (command) => ({ name: 'bash', arguments: { command } }) },
  // qwen-code overwrites a file only after reading it in the same session.
  'qwen-code': { read: (f, cwd) => ({ name: 'read_file', arguments: { file_path: path.join(cwd, f) } }), write: (f, content, cwd) => ({ name: 'write_file', arguments: { file_path: path.join(cwd, f), content } }), shell: (command) => ({ name: 'run_shell_command', arguments: { command } }) },
};

// Keeps both sides of every conflict hunk, ours first, in place (what the engineer is asked to do).
const RESOLVE = `node -e 'const fs=require("fs");const f=process.argv[1];let s=null;const o=[];for(const l of fs.readFileSync(f,"utf8").split("\\n")){if(l.startsWith("<<<<<<< "))s=1;else if(l==="======="&&s)s=2;else if(l.startsWith(">>>>>>> "))s=null;else o.push(l)}fs.writeFileSync(f,o.join("\\n"))'`;

const text = (c) => c.messages.map((m) => m.content ?? '').join('\n');
// A conflict round's or send-back's news follows "# Now" in caid's prompt (CLIs' own prompts may say "merge conflict" too).
const news = (c) => { const all = text(c); const at = all.lastIndexOf('# Now\n'); return at < 0 ? '' : all.slice(at); };
const taskOf = (c) => /^# Task ([a-z0-9-]+)/m.exec(text(c))?.[1];
const done = (c) => c.messages.filter((m) => m.role === 'tool').length;
const say = (content) => ({ content });
/** The worktree, as the CLI names its working directory to the model: `<root>/<runId>/<task>`. */
const cwdOf = (c, id) => new RegExp(`(/[^\\s"'<>\`]*/\\d{8}-\\d{6}-[a-z0-9]+/${id})(?![\\w-])`).exec(text(c))?.[1] ?? '.';

export function cliDemoRules(preset) {
  const t = CLI_TOOLS[preset];
  if (!t) throw new Error(`no demo script for the ${preset} CLI`);
  const play = (c, steps, summary) => steps[done(c)] ?? say(summary);
  return [
    { name: 'no-tools', when: (c) => c.tools.length === 0, reply: say('caid demo task') },
    {
      name: 'resolve-conflict',
      when: (c) => news(c).includes('merge conflict') && /^- (\S+)$/m.test(news(c)),
      reply: (c) => {
        const file = /^- (\S+)$/m.exec(news(c))?.[1];
        return play(c, [{ toolCalls: [t.shell(`${RESOLVE} ${file}`)] }, { toolCalls: [t.shell('node --test')] }], `resolved the conflict in ${file}, keeping both sides`);
      },
    },
    {
      name: 'fix-after-verify',
      when: (c) => news(c).includes('verify command') && taskOf(c) === 'truncate',
      reply: (c) => play(c, [...(t.read ? [{ toolCalls: [t.read('src/truncate.js', cwdOf(c, 'truncate'))] }] : []), { toolCalls: [t.write('src/truncate.js', SOURCES.truncate.fixed, cwdOf(c, 'truncate'))] }, { toolCalls: [t.shell('node --test')] }], 'fixed the off-by-one: the ellipsis counts toward max'),
    },
    {
      name: 'implement',
      when: (c) => Boolean(SOURCES[taskOf(c)]),
      reply: (c) => {
        const id = taskOf(c);
        const s = SOURCES[id];
        const cwd = cwdOf(c, id);
        const steps = [
          { toolCalls: [t.write(s.file, s.code, cwd)] },
          { toolCalls: [t.write(s.file.replace('src/', 'test/').replace('.js', '.test.js'), s.test, cwd)] },
          ...(s.index && t.read ? [{ toolCalls: [t.read('src/index.js', cwd)] }] : []),
          ...(s.index ? [{ toolCalls: [t.write('src/index.js', INDEX_LAST + s.index, cwd)] }] : []),
          ...(id === 'truncate' ? [] : [{ toolCalls: [t.shell('node --test')] }]),
        ];
        return play(c, steps, `added ${s.file} with tests`);
      },
    },
  ];
}
