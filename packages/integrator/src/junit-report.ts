import { XMLParser } from 'fast-xml-parser';

export type TestStatus = 'passed' | 'failed' | 'skipped';

export interface TestOutcome {
  /** `classname::name`, made unique within one report. */
  id: string;
  status: TestStatus;
  message?: string;
  /** The failure's body (a traceback or stack), its last part: where the failure happened. */
  detail?: string;
  /** Not a test: the runner could not collect a test module (pytest's "collection failure"). */
  collection?: true;
}

export interface JUnitReport {
  tests: TestOutcome[];
  /** Errors a suite counts that belong to no test case (a crash outside every test). */
  errorsOutsideTests: number;
}

type Node = Record<string, unknown>;
const list = (v: unknown): Node[] => (v === undefined ? [] : Array.isArray(v) ? (v as Node[]) : [v as Node]);
const text = (v: unknown): string | undefined => {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  const n = v as Node;
  return (n['@_message'] as string | undefined) ?? (n['#text'] as string | undefined) ?? '';
};
const body = (v: unknown): string | undefined => {
  if (typeof v === 'string' || v === undefined || v === null) return undefined;
  const t = (v as Node)['#text'];
  return typeof t === 'string' && t.trim() ? t.trim().slice(-4000) : undefined;
};

/**
 * Every test case of a JUnit XML report (pytest, vitest, jest-junit, node's test runner, go-junit-report,
 * cargo2junit all write this shape, with suites nested at any depth). A setup or teardown error is
 * written inside its test case, so it fails that test; only errors outside test cases are the suite's.
 */
export function readJUnit(xml: string): JUnitReport {
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', processEntities: true }).parse(xml) as Node;
  const tests: TestOutcome[] = [];
  const seen = new Map<string, number>();
  let errorsOutsideTests = 0;
  const visit = (node: Node) => {
    let inTests = 0;
    for (const tc of list(node.testcase)) {
      // A test case with no name is no test: pytest writes a bare `<testcase time="0.000"/>` when its
      // session dies mid-test (INTERNALERROR). Read as `::?` it "vanished" at the next full run and
      // the gate refused a correct merge for it (tinydb). An error it carries is the suite's.
      if (tc['@_name'] === undefined) {
        errorsOutsideTests += tc.failure !== undefined || tc.error !== undefined ? 1 : 0;
        inTests += list(tc.error).length;
        continue;
      }
      const base = `${(tc['@_classname'] as string | undefined) ?? (tc['@_file'] as string | undefined) ?? ''}::${tc['@_name']}`;
      const n = (seen.get(base) ?? 0) + 1;
      seen.set(base, n);
      const failure = tc.failure ?? tc.error ?? (tc['@_failure'] !== undefined ? { '@_message': tc['@_failure'] } : undefined);
      const first = Array.isArray(failure) ? failure[0] : failure;
      inTests += list(tc.error).length;
      const message = failure !== undefined ? (text(first) ?? '').trim().slice(0, 500) : undefined;
      const collection = tc.error !== undefined && !tc['@_classname'] && message === 'collection failure';
      tests.push({
        id: n === 1 ? base : `${base} #${n}`,
        status: failure !== undefined ? 'failed' : tc.skipped !== undefined ? 'skipped' : 'passed',
        message,
        ...(failure !== undefined && body(first) ? { detail: body(first) } : {}),
        ...(collection ? { collection: true as const } : {}),
      });
    }
    if (node['@_errors'] !== undefined && node.testsuite === undefined) errorsOutsideTests += Math.max(0, Number(node['@_errors']) - inTests);
    for (const child of [...list(node.testsuite), ...list(node.testsuites)]) visit(child);
  };
  visit(doc);
  return { tests, errorsOutsideTests };
}

export const parseJUnit = (xml: string): TestOutcome[] => readJUnit(xml).tests;
