/**
 * QMP error replies: QEMU's error classes (qapi/error.json) with QEMU's descriptions. Any
 * HotmemError a command raises becomes a GenericError carrying its message, as error_setg does.
 */
import { HotmemError } from '../../core/errors.js';

export type QmpErrorClass = 'GenericError' | 'CommandNotFound' | 'DeviceNotActive' | 'DeviceNotFound' | 'KVMMissingCap';

export class QmpError extends Error {
  override readonly name = 'QmpError';

  constructor(
    readonly errorClass: QmpErrorClass,
    readonly desc: string,
  ) {
    super(desc);
  }
}

export const missingParameter = (name: string) => new QmpError('GenericError', `Parameter '${name}' is missing`);
export const unexpectedParameter = (name: string) => new QmpError('GenericError', `Parameter '${name}' is unexpected`);
export const parameterType = (name: string, expected: string) =>
  new QmpError('GenericError', `Invalid parameter type for '${name}', expected: ${expected}`);

export function toQmpError(e: unknown): QmpError {
  if (e instanceof QmpError) return e;
  if (e instanceof HotmemError) return new QmpError('GenericError', e.message);
  throw e;
}
