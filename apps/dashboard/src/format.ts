import type { Usage } from '@caid/core';

export const tokens = (n: number) => (n >= 10_000 ? `${Math.round(n / 1000)}k` : n >= 1000 ? `${(n / 1000).toFixed(1)}k` : String(n));
export const usageText = (u: Usage) => `${tokens(u.inputTokens)} in / ${tokens(u.outputTokens)} out`;
export const cost = (usd: number) => `$${usd.toFixed(4)}`;
export const clock = (at: string | undefined) => (at ? at.slice(11, 19) : '');

export function duration(fromIso: string | undefined, toIso: string | undefined): string {
  if (!fromIso || !toIso) return '';
  const sec = Math.max(0, Math.round((Date.parse(toIso) - Date.parse(fromIso)) / 1000));
  const m = Math.floor(sec / 60);
  return m ? `${m}m${String(sec % 60).padStart(2, '0')}s` : `${sec}s`;
}
