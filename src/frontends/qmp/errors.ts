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

/**
 * An error's hint (error_append_hint; HotmemError details.hint, the last lines of its message) is
 * printed by error_report_err on the command line, never sent in a QMP desc.
 */
function withoutHint(e: HotmemError): string {
  const hint = e.details['hint'];
  return typeof hint === 'string' && e.message.endsWith(`\n${hint}`) ? e.message.slice(0, -hint.length - 1) : e.message;
}

export function toQmpError(e: unknown): QmpError {
  if (e instanceof QmpError) return e;
  if (e instanceof HotmemError) return new QmpError(ERROR_CLASS_BY_CODE[e.code] ?? 'GenericError', withoutHint(e));
  throw e;
}
