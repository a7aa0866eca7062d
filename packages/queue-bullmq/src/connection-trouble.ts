import type { Log } from '@caid/log';

/**
 * Redis connection errors repeat every retry while Redis is away (ioredis reconnects by itself):
 * the first is a warning, later ones debug lines, and the recovery is said once.
 */
export function connectionTrouble(log: Log, address: string) {
  let down = 0;
  return {
    error(err: Error) {
      if (down++ === 0) log.warn({ err, redis: address }, 'queue connection error; reconnecting');
      else log.debug({ err, redis: address, errors: down }, 'queue connection error; still reconnecting');
    },
    ready() {
      if (down > 0) log.info({ redis: address, errors: down }, 'queue connection back');
      down = 0;
    },
  };
}
