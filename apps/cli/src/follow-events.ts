import { closeSync, openSync, readSync, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { RunEventSchema } from '@caid/core';
import { logger } from '@caid/log';

const clog = logger('cli');

export interface FollowOptions {
  file: string;
  res: ServerResponse;
  /** Lines already seen by this client (from `Last-Event-ID` after a reconnect). */
  skip: number;
  redact: (text: string) => string;
  pollMs?: number;
}

/**
 * Streams a run log as server-sent events: every complete line so far, then each new one as the
 * run appends it (the log is the only state, so tailing the file is following the run). Each event
 * carries its line number as `id`, so a reconnecting EventSource resumes where it stopped. After
 * `run.finished` it sends an `end` event and closes.
 */
export function followEvents(o: FollowOptions): { close(): void } {
  let offset = 0;
  let line = 0;
  let pending = Buffer.alloc(0);
  let done = false;
  const send = (text: string) => { if (!o.res.writableEnded) o.res.write(text); };

  const readNew = () => {
    let size: number;
    try {
      size = statSync(o.file).size;
    } catch {
      return; // expected: not written yet, the next poll looks again
    }
    if (size <= offset) return;
    const chunk = Buffer.alloc(size - offset);
    const fd = openSync(o.file, 'r');
    try {
      readSync(fd, chunk, 0, chunk.length, offset);
    } finally {
      closeSync(fd);
    }
    offset = size;
    pending = Buffer.concat([pending, chunk]);
    let nl: number;
    while (!done && (nl = pending.indexOf(10)) >= 0) {
      const text = pending.subarray(0, nl).toString('utf8');
      pending = pending.subarray(nl + 1);
      if (!text.trim()) continue;
      line++;
      let parsed;
      try {
        parsed = RunEventSchema.safeParse(JSON.parse(text));
      } catch (err) {
        clog.debug({ err, file: o.file, line }, 'run log line is not JSON: skipped');
        continue;
      }
      if (!parsed.success) continue;
      if (line > o.skip) send(`id: ${line}\ndata: ${o.redact(JSON.stringify(parsed.data))}\n\n`);
      if (parsed.data.type === 'run.finished') done = true;
    }
  };

  o.res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-content-type-options': 'nosniff' });
  send('retry: 1000\n\n');
  const tick = () => {
    readNew();
    if (done) {
      stop();
      send('event: end\ndata: {}\n\n');
      o.res.end();
    }
  };
  const poll = setInterval(tick, o.pollMs ?? 250);
  const ping = setInterval(() => send(': ping\n\n'), 15_000);
  const stop = () => { clearInterval(poll); clearInterval(ping); };
  o.res.on('close', stop);
  tick();
  // The server is closing: send what the log holds now, then end the stream cleanly.
  return { close: () => { tick(); stop(); if (!o.res.writableEnded) o.res.end(); } };
}
