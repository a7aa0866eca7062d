/** Anything pino can write lines to (a stream, `pino.destination`, or a test's collector). */
export interface LineSink { write(line: string): unknown }

const LEVEL_WORD: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const QUIET = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'component', 'err']);

/**
 * `--log-format pretty`: one readable line per record (`12:00:01 DEBUG git  msg  key=value`), the
 * error's message and causes indented below. Written here rather than with pino-pretty, whose
 * transport runs in a worker thread that a bundled CLI cannot load.
 */
export function prettyStream(out: LineSink): LineSink {
  return {
    write(line: string) {
      let r: Record<string, unknown>;
      try {
        r = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return out.write(line); // expected: not a record (pino only writes records; kept verbatim just in case)
      }
      const time = typeof r.time === 'string' ? r.time.slice(11, 19) : '';
      const level = LEVEL_WORD[r.level as number] ?? String(r.level);
      const rest = Object.entries(r).filter(([k]) => !QUIET.has(k)).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
      let text = `${time} ${level.padEnd(5)} ${r.component ? `${String(r.component)}: ` : ''}${String(r.msg ?? '')}${rest.length ? `  ${rest.join(' ')}` : ''}\n`;
      for (let e = r.err as Record<string, unknown> | undefined, depth = 1; e && typeof e === 'object' && depth < 6; e = e.cause as Record<string, unknown> | undefined, depth++) {
        text += `${'  '.repeat(depth)}${depth > 1 ? 'caused by ' : ''}${String(e.type ?? 'Error')}: ${String(e.message ?? '')}\n`;
      }
      return out.write(text);
    },
  };
}
