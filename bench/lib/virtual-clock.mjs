import { setImmediate as tick } from 'node:timers/promises';

/**
 * Simulated time for code that waits only on promises: `sleep(d)` resolves when the clock reaches
 * now + d, and `drive(done)` advances the clock to the next wake-up only once every microtask
 * and immediate has run, i.e. once the code under test has reacted to the previous one.
 */
export function virtualClock() {
  let now = 0;
  let seq = 0;
  const timers = [];
  return {
    now: () => now,
    sleep: (d) => new Promise((resolve) => timers.push({ at: now + d, seq: seq++, resolve })),
    async drive(done) {
      let finished = false;
      let failure;
      done.then(() => { finished = true; }, (e) => { finished = true; failure = e; });
      for (;;) {
        await tick();
        await tick();
        if (finished) {
          if (failure) throw failure;
          return now;
        }
        if (!timers.length) throw new Error('virtual clock: nothing is waiting and the run has not finished');
        let next = 0;
        for (let i = 1; i < timers.length; i++) {
          if (timers[i].at < timers[next].at || (timers[i].at === timers[next].at && timers[i].seq < timers[next].seq)) next = i;
        }
        const [t] = timers.splice(next, 1);
        now = t.at;
        t.resolve();
      }
    },
  };
}
