import { InputError } from '@caid/core';
import { configureLogging, levelFromEnv, type LogFormat } from '@caid/log';

/**
 * Configures the one operational logger for the command about to run. `CAID_LOG_LEVEL` picks the
 * level (default: `info` for `caid worker`, whose log is its only voice on another machine;
 * `warn` elsewhere, so a run's stderr stays the progress people read). `--log-format` picks json
 * or pretty (default: pretty on a terminal, json otherwise). Every line passes the secret rule
 * with this process's environment and arguments (a `--base-url` may carry a password).
 */
export function setupLogging(command: string, format: LogFormat | undefined): void {
  let level;
  try {
    level = levelFromEnv(process.env);
  } catch (e) {
    throw new InputError((e as Error).message);
  }
  configureLogging({
    level: level ?? (command === 'worker' ? 'info' : 'warn'),
    format,
    env: process.env,
    secrets: process.argv,
    base: { app: command === 'worker' ? 'caid-worker' : 'caid' },
  });
}
