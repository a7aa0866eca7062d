import { DOCTOR_GROUPS, RESUME_GROUPS, PLAN_GROUPS, RUN_GROUPS, WORKER_GROUPS } from './command-groups.js';
import { GROUP_TITLES, OPTION_GROUPS, settingDefault, type OptionGroup, type OptionSpec } from './option-groups.js';

const COMMANDS: [string, OptionGroup[]][] = [['run', RUN_GROUPS], ['resume', RESUME_GROUPS], ['plan', PLAN_GROUPS], ['worker', WORKER_GROUPS], ['doctor', DOCTOR_GROUPS]];

function defaultOf(spec: OptionSpec): string {
  if (spec.defaultText) return spec.defaultText;
  const d = spec.default ?? (spec.setting && !spec.flags.startsWith('--no-') ? settingDefault(spec.setting) : undefined);
  return d === undefined || d === false ? '' : `\`${String(d)}\``;
}

/**
 * The README's option reference, generated from the option groups (the test
 * `options-reference.test.ts` fails when the README differs; `UPDATE_README=1` rewrites it).
 */
export function optionsReference(): string {
  const out: string[] = [];
  for (const g of Object.keys(OPTION_GROUPS) as OptionGroup[]) {
    const takers = COMMANDS.filter(([, gs]) => gs.includes(g)).map(([c]) => `\`${c}\``).join(', ');
    out.push(`**${GROUP_TITLES[g]}** (\`${g}\`; ${takers || 'no command'})`, '', '| option | setting | default | meaning |', '|---|---|---|---|');
    for (const spec of OPTION_GROUPS[g] as OptionSpec[]) {
      out.push(`| \`${spec.flags.replace(/\|/g, '\\|')}\` | ${spec.setting ? `\`${spec.setting}\`` : ''} | ${defaultOf(spec).replace(/\|/g, '\\|')} | ${spec.description.replace(/\|/g, '\\|')} |`);
    }
    out.push('');
  }
  return out.join('\n');
}

export const REFERENCE_BEGIN = '<!-- options:begin (generated from apps/cli/src/option-groups.ts) -->';
export const REFERENCE_END = '<!-- options:end -->';
