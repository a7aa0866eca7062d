/** Bad input from the user (plan, flags, repository): the CLI exits 2 and nothing is written. */
export class InputError extends Error {
  override readonly name = 'InputError';
  readonly details: string[];
  constructor(message: string, details: string[] = []) {
    super(details.length ? `${message}\n${details.map((d) => `  - ${d}`).join('\n')}` : message);
    this.details = details;
  }
}

/** A run was interrupted (SIGINT/SIGTERM): the CLI exits 130. */
export class CancelledError extends Error {
  override readonly name = 'CancelledError';
}

/** A run that cannot go on for a reason the user can act on (exit 1, message without a stack). */
export class RunError extends Error {
  override readonly name = 'RunError';
}
