import { XMLParser } from 'fast-xml-parser';

export type TestStatus = 'passed' | 'failed' | 'skipped';

export interface TestOutcome {
  /** `classname::name`, made unique within one report. */
  id: string;
  status: TestStatus;
  message?: string;
}

type Node = Record<string, unknown>;
const list = (v: unknown): Node[] => (v === undefined ? [] : Array.isArray(v) ? (v as Node[]) : [v as Node]);
const text = (v: unknown): string | undefined => {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  const n = v as Node;
  return (n['@_message'] as string | undefined) ?? (n['#text'] as string | undefined) ?? '';
};

/**
 * Every test case of a JUnit XML report (pytest, vitest, jest-junit, node's test runner, go-junit-report,
 * cargo2junit all write this shape, with suites nested at any depth).
 */
export function parseJUnit(xml: string): TestOutcome[] {
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', processEntities: true }).parse(xml) as Node;
  const out: TestOutcome[] = [];
  const seen = new Map<string, number>();
  const visit = (node: Node) => {
    for (const tc of list(node.testcase)) {
      const base = `${(tc['@_classname'] as string | undefined) ?? (tc['@_file'] as string | undefined) ?? ''}::${tc['@_name'] ?? '?'}`;
      const n = (seen.get(base) ?? 0) + 1;
      seen.set(base, n);
      const failure = tc.failure ?? tc.error ?? (tc['@_failure'] !== undefined ? { '@_message': tc['@_failure'] } : undefined);
      const skipped = tc.skipped !== undefined;
      out.push({
        id: n === 1 ? base : `${base} #${n}`,
        status: failure !== undefined ? 'failed' : skipped ? 'skipped' : 'passed',
        message: failure !== undefined ? (text(Array.isArray(failure) ? failure[0] : failure) ?? '').trim().slice(0, 500) : undefined,
      });
    }
    for (const child of [...list(node.testsuite), ...list(node.testsuites)]) visit(child);
  };
  visit(doc);
  return out;
}

/** A report that records errors outside any test case (collection or import crash), as pytest does. */
export function suiteErrors(xml: string): number {
  let errors = 0;
  for (const m of xml.matchAll(/<testsuite\b[^>]*\berrors="(\d+)"/g)) errors += Number(m[1]);
  return errors;
}
