import type { Conversation } from './conversation.js';

type Matcher = (c: Conversation) => boolean;

/** Matchers for the conditions scripts test most often. */
export const when = {
  firstUserIncludes: (s: string): Matcher => (c) => c.firstUser.includes(s),
  lastUserIncludes: (s: string): Matcher => (c) => c.lastUser.includes(s),
  /** True when the transcript ends with a tool result containing `s`. */
  lastToolResultIncludes: (s: string): Matcher => (c) => c.lastToolResult?.includes(s) ?? false,
  always: (): Matcher => () => true,
};
