import { AsyncLocalStorage } from 'node:async_hooks';
import { pino, stdSerializers, type Logger } from 'pino';
import { secretRedactor } from '@caid/core';
import { prettyStream, type LineSink } from './pretty-stream.js';

/**
 * The one operational logger (ARCHITECTURE "one logger (pino) for operational logs"). Progress for
 * people stays on the CLI's own stderr printer; this is for diagnosing a run or a remote worker:
 * JSON lines (or a pretty rendering on a terminal) on stderr, every line passed through the
 * project's secret rule. Packages ask `logger('component')` at load time; the app configures the
 * root once (`configureLogging`) and every component's lines follow, because children are made
 * lazily from whichever root is current.
 */

export type LogFormat = 'json' | 'pretty';
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LoggingOptions {
  /** Default: `CAID_LOG_LEVEL`, else `warn`. */
  level?: LogLevel;
  /** Default: pretty when the destination is a terminal, else json. */
  format?: LogFormat;
  /** Whose secrets to redact (default `process.env`), plus values such as a base URL given as a flag. */
  env?: Readonly<Record<string, string | undefined>>;
  secrets?: readonly (string | undefined)[];
  /** Where lines go (default stderr, written synchronously so nothing is lost at exit). */
  destination?: LineSink;
  /** Bound on every line, e.g. `{ app: 'caid-worker' }`. */
  base?: Record<string, unknown>;
}

export interface LogContext { runId?: string; taskId?: string; jobId?: string; [key: string]: unknown }

const context = new AsyncLocalStorage<LogContext>();
let root: Logger = build({});
let generation = 0;

/** Reads `CAID_LOG_LEVEL`; an unknown word is an input error the caller reports. */
export function levelFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): LogLevel | undefined {
  const v = env.CAID_LOG_LEVEL?.trim().toLowerCase();
  if (!v) return undefined;
  if (!(LOG_LEVELS as readonly string[]).includes(v)) throw new RangeError(`CAID_LOG_LEVEL="${env.CAID_LOG_LEVEL}" is not one of ${LOG_LEVELS.join(', ')}`);
  return v as LogLevel;
}

function build(o: LoggingOptions): Logger {
  const env = o.env ?? process.env;
  const redact = secretRedactor(env, o.secrets ?? []);
  let level: LogLevel;
  try {
    level = o.level ?? levelFromEnv(env) ?? 'warn';
  } catch {
    level = 'warn'; // expected: the library default when nobody configured logging; the CLI reports the bad word
  }
  const sink: LineSink = o.destination ?? pino.destination({ fd: 2, sync: true });
  const tty = o.destination ? false : Boolean(process.stderr.isTTY);
  const format = o.format ?? (tty ? 'pretty' : 'json');
  const out: LineSink = format === 'pretty' ? prettyStream(sink) : sink;
  return pino(
    {
      level,
      base: { pid: process.pid, ...o.base },
      timestamp: pino.stdTimeFunctions.isoTime,
      serializers: { err: stdSerializers.errWithCause },
      mixin: () => ({ ...context.getStore() }),
      // Path-based redaction misses keys inside messages and error text; the whole line goes
      // through the one secret rule instead.
      hooks: { streamWrite: (line) => redact(line) },
    },
    out,
  );
}

/** Replaces the root logger; components' loggers follow from their next line on. */
export function configureLogging(o: LoggingOptions = {}): Logger {
  root = build(o);
  generation++;
  return root;
}

/** Runs `fn` with `ctx` (runId, taskId, …) bound to every log line written inside it, async included. */
export function withLogContext<T>(ctx: LogContext, fn: () => T): T {
  return context.run({ ...context.getStore(), ...ctx }, fn);
}

export interface Log {
  fatal(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  debug(obj: object | string, msg?: string): void;
  trace(obj: object | string, msg?: string): void;
  isLevelEnabled(level: LogLevel): boolean;
  child(bindings: Record<string, unknown>): Log;
  /**
   * For an error whose only effect is a fallback (`.catch(log.dropped('…'))`, or inside `catch (e)`
   * as `log.dropped('…')(e)`): the cause goes to the debug log, the caller's fallback goes on.
   */
  dropped(msg: string, ctx?: Record<string, unknown>): (err: unknown) => undefined;
}

/** A component's logger, e.g. `logger('git')`; lines carry `component`. */
export function logger(component: string, bindings: Record<string, unknown> = {}): Log {
  return lazyLog({ component, ...bindings });
}

function lazyLog(bindings: Record<string, unknown>): Log {
  let made: Logger | undefined;
  let madeAt = -1;
  const current = (): Logger => {
    if (!made || madeAt !== generation) {
      made = root.child(bindings);
      madeAt = generation;
    }
    return made;
  };
  const at = (level: Exclude<LogLevel, 'silent'>) => (obj: object | string, msg?: string) => {
    const l = current();
    if (typeof obj === 'string') l[level](obj);
    else l[level](obj, msg);
  };
  return {
    fatal: at('fatal'), error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug'), trace: at('trace'),
    isLevelEnabled: (level) => current().isLevelEnabled(level),
    child: (more) => lazyLog({ ...bindings, ...more }),
    dropped: (msg, ctx = {}) => (err) => {
      current().debug({ ...ctx, err }, msg);
      return undefined;
    },
  };
}
