import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { startScriptedModel, type Conversation, type ScriptedModelServer, type ScriptedReply } from '@caid/llm/testing';
import { call, git, makeRepo, removeTemps, runCli, tempDir } from './cli-harness.js';

// A small TypeScript repository: the planner's context must show its docs, manifest, tests and imports.
const REPO_FILES = {
  'package.json': `${JSON.stringify({ name: 'shapes', type: 'module', scripts: { test: 'node --test' } }, null, 2)}\n`,
  'README.md': '# shapes\n\nGeometry helpers.\n',
  'AGENTS.md': 'Keep every module under 100 lines.\n',
  'src/index.ts': "export * from './area.js';\n",
  'src/area.ts': "import { square } from './math.js';\nexport const area = (r: number) => 3.14 * square(r);\n",
  'src/math.ts': 'export const square = (x: number) => x * x;\n',
  'test/area.test.js': "import { test } from 'node:test';\n",
};

const task = (id: string, dependsOn: string[] = [], files: string[] = [`src/${id}.ts`]) => ({ id, title: `Make ${id}`, prompt: `Create ${files[0]}.`, dependsOn, files });
const GOOD = { goal: 'planner goal text', tasks: [task('perimeter'), task('volume'), task('docs', ['perimeter', 'volume'], ['README.md'])] };
const submit = (plan: unknown): ScriptedReply => call('submit_plan', plan);
/** Replies in turn: the n-th planner reply of the conversation. */
const turns = (...replies: ScriptedReply[]) => (c: Conversation) => replies[Math.min(c.stepInRound, replies.length - 1)]!;

const SCRIPTS: Record<string, (c: Conversation) => ScriptedReply> = {
  'good plan': turns(call('read_file', { path: 'AGENTS.md' }), call('search', { pattern: 'square' }), submit(GOOD)),
  'cyclic plan': turns(submit({ ...GOOD, tasks: [task('a', ['b']), task('b', ['a'])] }), submit(GOOD)),
  'overlapping plan': turns(submit({ ...GOOD, tasks: [task('perimeter', [], ['src/index.ts', 'src/p.ts']), task('volume', [], ['src/v.ts', 'src/index.ts'])] }), submit(GOOD)),
  'invalid json': turns(call('submit_plan', '{"goal": "x", "tasks": [{"id": "a",'), submit(GOOD)),
  'plan as text': turns({ content: 'Here is the plan:\n```json\n{"goal": "g", "tasks": [\n```' }, { content: JSON.stringify(GOOD) }),
  'never valid': () => submit({ ...GOOD, tasks: [task('a', ['ghost']), task('b'), task('c'), task('d')] }),
};

let model: ScriptedModelServer;
let repo: string;
let outDir: string;
const plan = (goal: string, ...extra: string[]) =>
  runCli(['plan', goal, '--repo', repo, '--out', path.join(outDir, `${goal.replace(/ /g, '-')}.yaml`), '--model', 'm', '--base-url', model.url, ...extra]);
const requestsFor = (goal: string) => model.requests.filter((r) => r.conversation.firstUser.includes(goal)).map((r) => r.conversation);

beforeAll(async () => {
  const dir = tempDir();
  repo = makeRepo(path.join(dir, 'repo'), REPO_FILES);
  outDir = path.join(dir, 'out');
  model = await startScriptedModel({
    rules: Object.entries(SCRIPTS).map(([goal, reply]) => ({ name: goal, when: (c) => c.firstUser.includes(`# Goal\n${goal}`), reply })),
  });
});
afterAll(async () => {
  await model.close();
  removeTemps();
});

describe('caid plan', () => {
  it('a good plan: writes the plan file, draws the graph, and the planner saw the repository and read-only tools', async () => {
    const r = await plan('good plan');
    expect(r.code, r.stderr).toBe(0);
    const written = parseYaml(readFileSync(path.join(outDir, 'good-plan.yaml'), 'utf8'));
    expect(written.goal).toBe('good plan'); // the user's goal, not the model's paraphrase
    expect(written.verify).toBe('npm test'); // detected from package.json
    expect(written.tasks.map((t: { id: string }) => t.id)).toEqual(['perimeter', 'volume', 'docs']);
    expect(r.stdout).toMatch(/level 1\n {2}perimeter +Make perimeter/);
    expect(r.stdout).toContain('critical path: perimeter → docs (2 tasks)');
    expect(r.stdout).toContain('max parallelism: 2 tasks at once');

    const [first, ...rest] = requestsFor('good plan');
    expect(first!.tools.sort()).toEqual(['list_files', 'read_file', 'search', 'submit_plan']);
    for (const text of ['## File tree (7 files)', 'src/math.ts', '# shapes', 'Keep every module under 100 lines.', '"test": "node --test"',
      'Test files: test/area.test.js', 'Test command (run after every merge): `npm test`', 'src/area.ts -> src/math.ts', 'src/index.ts -> src/area.ts']) {
      expect(first!.firstUser).toContain(text);
    }
    expect(first!.messages[0]!.content).toMatch(/File-level ownership/);
    expect(rest[0]!.lastToolResult).toContain('Keep every module'); // read_file really read the repository
    expect(rest[1]!.lastToolResult).toContain('src/math.ts:1: export const square');
    expect(git(repo, 'status', '--porcelain')).toBe(''); // the planner wrote nothing into the repository
  });

  it('a cyclic plan is sent back with the cycle named, and the repaired plan is accepted', async () => {
    const r = await plan('cyclic plan');
    expect(r.code, r.stderr).toBe(0);
    expect(requestsFor('cyclic plan')[1]!.lastToolResult).toMatch(/Error: rejected[\s\S]*dependency cycle: a -> b -> a/);
    expect(r.stderr).toMatch(/planned 3 tasks \(2 submissions/);
  });

  it('concurrent tasks sharing a file are sent back, then the repaired plan is accepted', async () => {
    const r = await plan('overlapping plan');
    expect(r.code, r.stderr).toBe(0);
    expect(requestsFor('overlapping plan')[1]!.lastToolResult).toContain('tasks "perimeter" and "volume" can run at the same time but both touch src/index.ts');
  });

  it('invalid JSON in the submit_plan call is sent back like any other error, then a good plan is accepted', async () => {
    const r = await plan('invalid json');
    expect(r.code, r.stderr).toBe(0);
    expect(requestsFor('invalid json')[1]!.lastToolResult).toMatch(/not valid JSON/);
    expect(existsSync(path.join(outDir, 'invalid-json.yaml'))).toBe(true);
  });

  it('a plan sent as plain text instead of a tool call is checked the same way: broken JSON sent back, then accepted', async () => {
    const r = await plan('plan as text');
    expect(r.code, r.stderr).toBe(0);
    expect(requestsFor('plan as text')[1]!.lastToolResult).toMatch(/not valid JSON/);
    expect(r.stderr).toMatch(/planned 3 tasks \(2 submissions/);
  });

  it('a planner that never produces a valid plan: exit 2 with the errors listed, after the allowed repairs, nothing written', async () => {
    const r = await plan('never valid', '--max-tasks', '3', '--max-repairs', '2');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('the planner produced no valid plan (3 rejected submissions)');
    expect(r.stderr).toContain('- task "a" depends on unknown task "ghost"');
    expect(r.stderr).toContain('- the plan has 4 tasks; at most 3 are allowed');
    expect(requestsFor('never valid')).toHaveLength(3);
    expect(existsSync(path.join(outDir, 'never-valid.yaml'))).toBe(false);
  });

  it('caid run "<goal>" whose planning fails exits 2 and writes nothing into the repository', async () => {
    const r = await runCli(['run', 'never valid', '--repo', repo, '--max-repairs', '0', '--model', 'm', '--base-url', model.url]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('depends on unknown task "ghost"');
    expect(existsSync(path.join(repo, '.caid'))).toBe(false);
    expect(git(repo, 'branch', '--list', 'caid/*')).toBe('');
  });

  it('--show draws an existing plan as text, Mermaid or DOT; bad flags exit 2', async () => {
    const file = path.join(outDir, 'good-plan.yaml');
    const text = await runCli(['plan', '--show', file]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('critical path: perimeter → docs');
    const mermaid = await runCli(['plan', '--show', file, '--format', 'mermaid']);
    expect(mermaid.stdout).toMatch(/^flowchart TD\n/);
    expect(mermaid.stdout).toContain('t_perimeter --> t_docs');
    expect(mermaid.stderr).toContain('max parallelism: 2');
    const dot = await runCli(['plan', '--show', file, '--format', 'dot']);
    expect(dot.stdout).toMatch(/^digraph plan \{[\s\S]*"volume" -> "docs";\n\}\n$/);
    expect((await runCli(['plan', '--show', file, '--format', 'svg'])).code).toBe(2);
    const exists = await runCli(['plan', 'good plan', '--repo', repo, '--out', file, '--model', 'm', '--base-url', model.url]);
    expect(exists.code).toBe(2);
    expect(exists.stderr).toMatch(/already exists \(and is not caid init.s unedited starter\): pass --out FILE, or --force/);
    expect((await runCli(['plan', 'x', '--repo', path.join(outDir, 'nope')])).code).toBe(2);
  });
});
