/** A counting semaphore: at most `max` holders at once, the rest wait in arrival order. */
export class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  /** Highest number of holders seen at once (for tests and stats). */
  peak = 0;
  constructor(public max: number) {}

  async run<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.active >= this.max) {
      await new Promise<void>((resolve, reject) => {
        const go = () => { signal?.removeEventListener('abort', cancel); resolve(); };
        const cancel = () => { this.waiting.splice(this.waiting.indexOf(go), 1); reject(signal?.reason); };
        this.waiting.push(go);
        signal?.addEventListener('abort', cancel, { once: true });
      });
    }
    this.active++;
    this.peak = Math.max(this.peak, this.active);
    try {
      return await fn();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

const byEndpoint = new Map<string, Limiter>();

/**
 * One limiter per endpoint (base URL) for the whole process, so every worker and every role that
 * talks to the same server shares its limit, however many Model objects point at it.
 */
export function endpointLimiter(baseURL: string, max: number): Limiter {
  const key = baseURL.replace(/\/+$/, '');
  let l = byEndpoint.get(key);
  if (!l) byEndpoint.set(key, (l = new Limiter(max)));
  l.max = Math.min(l.max, max);
  return l;
}
