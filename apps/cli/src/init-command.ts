import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '@caid/core';
import { isGitRepo, Repo } from '@caid/git';
import { ollamaModels, probeServer } from '@caid/llm';
import { detectTestCommand } from '@caid/planner';
import { isUntouchedStarter, starterPlanText } from './starter-plan.js';
import { shellArg } from './shell-arg.js';

/** A local model server caid knows how to find: its provider preset and where it usually listens. */
interface Candidate { provider: 'ollama' | 'llamacpp' | 'vllm' | 'lmstudio'; origin: string }
interface Found extends Candidate { baseURL: string; models: string[] }

const USUAL: Candidate[] = [
  { provider: 'ollama', origin: 'http://127.0.0.1:11434' },
  { provider: 'llamacpp', origin: 'http://127.0.0.1:8080' },
  { provider: 'vllm', origin: 'http://127.0.0.1:8000' },
  { provider: 'lmstudio', origin: 'http://127.0.0.1:1234' },
];

/**
 * Where to look: the usual ports, or `CAID_INIT_SERVERS` (`ollama=http://127.0.0.1:5000,vllm=…`),
 * which tests use because the usual ports may be taken on the machine.
 */
function candidates(env: NodeJS.ProcessEnv): Candidate[] {
  const given = env.CAID_INIT_SERVERS?.trim();
  if (!given) return USUAL;
  return given.split(',').map((pair) => {
    const [provider, origin] = pair.split('=') as [Candidate['provider'], string];
    if (!USUAL.some((u) => u.provider === provider) || !origin) throw new InputError(`CAID_INIT_SERVERS: "${pair}" is not provider=url (providers: ${USUAL.map((u) => u.provider).join(', ')})`);
    return { provider, origin: origin.replace(/\/+$/, '') };
  });
}

async function detect(c: Candidate): Promise<Found | null> {
  const baseURL = `${c.origin}/v1`;
  if (c.provider === 'ollama') {
    const models = await ollamaModels(c.origin, { timeoutMs: 1_500 });
    return models ? { ...c, baseURL, models } : null;
  }
  const p = await probeServer(baseURL, { timeoutMs: 1_500 });
  return p.reachable ? { ...c, baseURL, models: p.models } : null;
}

/**
 * `caid init`: finds a local model server on the usual ports (Ollama 11434, llama.cpp 8080, vLLM
 * 8000, LM Studio 1234), writes a commented `caid.config.yaml` for it (a commented template when
 * nothing answers) and a starter `plan.yaml`. Refuses to overwrite either without `--force`
 * (exit 2, nothing written). Exit 0 when written.
 */
export async function initCommand(f: { repo: string; force?: boolean }): Promise<number> {
  const dir = path.resolve(f.repo);
  if (!(await isGitRepo(dir))) throw new InputError(`${dir} is not a git repository (git init and commit first, or pass --repo DIR)`);
  const repo = await Repo.open(dir);
  const root = repo.root;
  const configFile = path.join(root, 'caid.config.yaml');
  const planFile = path.join(root, 'plan.yaml');
  const existing = [configFile, planFile].filter((p) => existsSync(p));
  if (existing.length && !f.force) {
    // A plan.yaml of the user's own (not init's unedited starter) or any config holds their work:
    // the advice to pass --force says that it replaces those.
    const theirs = existing.filter((p) => p !== planFile || !isUntouchedStarter(p)).map((p) => path.basename(p));
    const lost = theirs.length ? ` (that replaces ${theirs.join(' and ')} as ${theirs.length === 1 ? 'it is' : 'they are'} now: copy or rename ${theirs.length === 1 ? 'it' : 'them'} first to keep ${theirs.length === 1 ? 'it' : 'them'})` : '';
    throw new InputError(`${existing.map((p) => path.basename(p)).join(' and ')} already exist${existing.length === 1 ? 's' : ''} in ${root}; pass --force to overwrite${lost}`);
  }
  const found = (await Promise.all(candidates(process.env).map(detect))).filter((x): x is Found => x !== null);
  writeFileSync(configFile, configText(found));
  // A plan file's verify is what gates merges; `caid run --plan` detects nothing, so write the
  // repository's test command here, or say plainly that without one nothing is tested.
  const verify = detectTestCommand(root);
  writeFileSync(planFile, starterPlanText(verify));
  const say = (line: string) => process.stderr.write(`${line}\n`);
  if (found.length) for (const s of found) say(`found ${s.provider} at ${s.baseURL}: ${s.models.length ? s.models.join(', ') : 'no models listed'}`);
  else say('no local model server answered on 11434 (Ollama), 8080 (llama.cpp), 8000 (vLLM) or 1234 (LM Studio); the config is a template to fill in');
  say(verify ? `verify: ${verify} (from the repository; edit plan.yaml to change it)` : 'no test command found: merges are not tested until you set verify: in plan.yaml');
  // The next commands as they work from here: from a sub-folder the plan is not ./plan.yaml, and a
  // repository without commits is refused by caid run until something is committed.
  const cwdFromRoot = path.relative(root, process.cwd());
  const inside = !cwdFromRoot.startsWith('..') && !path.isAbsolute(cwdFromRoot);
  const planArg = inside ? shellArg(path.relative(process.cwd(), planFile)) : `${shellArg(planFile)} --repo ${shellArg(root)}`;
  const first = (await repo.hasCommits()) ? '' : 'commit something first (git add -A && git commit -m "initial": caid branches from a commit), then ';
  say(`wrote ${configFile} and ${planFile}; next: ${first}caid doctor, then caid run --plan ${planArg} (or caid plan "your goal", which replaces this starter plan while it is unedited)`);
  return 0;
}

/** A coding model first, when the server has one: agents need tool calls and code. */
const pick = (models: string[]) => models.find((m) => /coder|code|qwen|devstral|deepseek/i.test(m)) ?? models[0];

function configText(found: Found[]): string {
  const head = ['# caid.config.yaml, written by `caid init`. Flags and environment variables override it;', '# `caid doctor` checks it. Keys are read from the environment only (never put one here).', ''];
  const tail = [
    '# A stronger model for planning, and for conflict resolution (optional; default: the worker\'s):',
    '#   planner: { model: NAME, baseURL: URL }',
    '#   resolver: { model: NAME }',
    '',
    '# Agent commands run under bubblewrap (no network, read-only outside the worktree) when it works',
    '# here (auto, the default); bwrap insists on it, none opts out:',
    '# sandbox: bwrap',
    '# Per agent round and per run:',
    '# limits: { maxSteps: 40, taskTimeoutMin: 20 }',
    '# budget: { usd: 5 }',
    '',
  ];
  if (!found.length) {
    return [...head, '# No local model server answered when this was written. Start one (e.g. `ollama serve` and', '# `ollama pull qwen2.5-coder:14b`) and run `caid init --force`, or uncomment and fill in:', '# models:', '#   worker:', '#     provider: ollama          # ollama | llamacpp | vllm | lmstudio | openai | openrouter', '#     baseURL: http://127.0.0.1:11434/v1', '#     model: qwen2.5-coder:14b', '', ...tail].join('\n');
  }
  const [first, ...others] = found;
  const model = pick(first!.models);
  return [
    ...head,
    ...found.map((s) => `# Found ${s.provider} at ${s.baseURL}${s.models.length ? ` with: ${s.models.join(', ')}` : ''}`),
    'models:',
    '  worker:',
    `    provider: ${first!.provider}`,
    `    baseURL: ${first!.baseURL}`,
    model ? `    model: ${JSON.stringify(model)}` : '    # model: NAME            # the server listed no model: name the one it serves',
    ...others.map((s) => `  # or ${s.provider}: { provider: ${s.provider}, baseURL: ${s.baseURL}${s.models[0] ? `, model: ${JSON.stringify(s.models[0])}` : ''} }`),
    '',
    ...tail,
  ].join('\n');
}
