import { InputError } from '@caid/core';

export function positiveInt(value: string, flag: string, allowZero = false): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < (allowZero ? 0 : 1)) throw new InputError(`${flag} takes a whole number${allowZero ? '' : ' of at least 1'}, not "${value}"`);
  return n;
}

export function positiveNumber(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InputError(`${flag} takes a positive number, not "${value}"`);
  return n;
}
