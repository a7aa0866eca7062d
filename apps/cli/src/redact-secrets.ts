import { secretRedactor as coreRedactor } from '@caid/core';

/**
 * What the dashboard serves, passed through the one secret rule of @caid/core (the run's files
 * should never hold a key; this is the second fence in case an agent printed one anyway).
 */
export function secretRedactor(env: NodeJS.ProcessEnv = process.env): (text: string) => string {
  return coreRedactor(env);
}
