import path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain .mjs helper without types
import { swallowedErrors, swallowedIn } from './check-catches-lib.mjs';

describe('swallowed-error check', () => {
  it('passes on the real repository', () => {
    expect(swallowedErrors(path.resolve(__dirname, '..'))).toEqual([]);
  });

  it('flags a bare catch block and an empty .catch handler, by line', () => {
    const src = [
      'try { a(); } catch {}',
      'try { a(); } catch (e) { /* nothing */ }',
      'p.catch(() => {});',
      'p.catch(() => undefined);',
      'p.catch(function () { return 1; });',
    ].join('\n');
    expect(swallowedIn(src)).toEqual([1, 2, 3, 4, 5]);
  });

  it('accepts a rethrow, a log call, a use of the error, a handler passed by name, or an `// expected:` reason', () => {
    const src = [
      'try { a(); } catch (e) { throw new Wrapped(e); }',
      "try { a(); } catch { log.debug({ file }, 'not read'); }",
      "try { a(); } catch (err) { glog.dropped('not read', { dir })(err); }",
      'try { a(); } catch (e) { return { ok: false, error: String(e) }; }',
      'p.catch(reject);',
      "p.catch(wlog.dropped('gone'));",
      'p.catch((e) => report(e));',
      'try { a(); } catch { return null; } // expected: the answer is no',
      '// expected: the caller awaits p and gets the error',
      'p.catch(() => undefined);',
      "try { a(); } catch {\n  // expected: not JSON, so raw text\n}",
    ].join('\n');
    expect(swallowedIn(src)).toEqual([]);
  });

  it('flags a silent error handler of .then(ok, h) and .on/.once(\'error\', h), and only that argument', () => {
    const src = [
      'p.then(ok, () => undefined);',
      "s.on('error', () => undefined);",
      's.once("error", () => {});',
      "p.then((x) => { f('a,b', [1, 2]); }, function () { return null; });",
      "s.on('data', () => {});",
      'p.then(() => undefined);',
      'p.then(ok, (e) => e);',
      "s.on('error', reject);",
      "p.then(ok, () => undefined); // expected: the answer is no",
      "fetch(u).then(async (r) => {\n  use(r);\n}, () => undefined); // expected: the next poll asks again",
      "s.on('error', (err) => { log.debug({ err }, 'gone'); });",
    ].join('\n');
    expect(swallowedIn(src)).toEqual([1, 2, 3, 4]);
  });

  it('is not fooled by braces in strings, templates and comments, nor by a throw before the catch', () => {
    const src = [
      "try { a('}'); } catch { const s = `${'{'}}`; /* } */ }",
      'try { throw x; } catch {}',
    ].join('\n');
    expect(swallowedIn(src)).toEqual([1, 2]);
  });
});
