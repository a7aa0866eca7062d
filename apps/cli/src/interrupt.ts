/**
 * Ctrl-C or SIGTERM once: the returned signal aborts, agents stop and the run is recorded as
 * cancelled (exit 130). Twice: quit at once. `dispose` puts the default handlers back.
 */
export function onInterrupt(stopping = 'stopping agents'): { signal: AbortSignal; dispose(): void } {
  const abort = new AbortController();
  const handler = () => {
    if (abort.signal.aborted) process.exit(130);
    process.stderr.write(`\ncaid: interrupted; ${stopping} (press Ctrl-C again to quit at once)\n`);
    abort.abort();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: abort.signal,
    dispose: () => { process.off('SIGINT', handler); process.off('SIGTERM', handler); },
  };
}
