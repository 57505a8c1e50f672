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
export const parameterType = (name: string, expected: string) => new QmpError('GenericError', `Invalid parameter type for '${name}', expected: ${expected}`);

/** Errors QEMU raises with a class other than GenericError (error_set with QERR_DEVICE_NOT_FOUND...). */
const ERROR_CLASS_BY_CODE: Readonly<Record<string, QmpErrorClass>> = {
  'qom.device-not-found': 'DeviceNotFound',
  'device.not-found': 'DeviceNotFound',
};

export function toQmpError(e: unknown): QmpError {
  if (e instanceof QmpError) return e;
  if (e instanceof HotmemError) return new QmpError(ERROR_CLASS_BY_CODE[e.code] ?? 'GenericError', e.message);
  throw e;
}
