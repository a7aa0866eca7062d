import { logger } from '@caid/log';

const clog = logger('cli');

/**
 * `caid doctor | head -3`, `caid logs | less` quit early: the reader closed the pipe, and the next
 * write crashed caid with an unhandled EPIPE and a stack trace. What is left to print has no reader;
 * the command still finishes its work (a run is not cut short) and ends with its own exit code.
 */
export function ignoreClosedPipes(): void {
  for (const [name, stream] of [['stdout', process.stdout], ['stderr', process.stderr]] as const) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
      // Not logged for stderr: the operational log writes there, to the reader that left.
      if (name === 'stdout') clog.debug({ err }, 'stdout closed by its reader: the rest of the output is dropped');
    });
  }
}
