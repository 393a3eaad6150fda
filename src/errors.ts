/**
 * simdnet's error family. Every message names the argument, what was expected,
 * what was received and, where there is one, the fix (Keras's style):
 * "Invalid value for `units`: expected a positive integer. Received: 0".
 */

/** The base class of every error simdnet throws on purpose. */
export class SimdnetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A bad argument: wrong type, out of range, unknown name, incompatible shapes. */
export class ValueError extends SimdnetError {}

/** Bad data: NaN or infinity, labels out of range, ragged arrays, corrupt files. */
export class DataError extends SimdnetError {}

/** A feature, layer class or option simdnet does not support. */
export class NotSupportedError extends SimdnetError {}

/** Describe a received value for an error message, briefly. */
export function describe(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return v.length > 8 ? `an array of length ${v.length}` : JSON.stringify(v);
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name} of length ${(v as unknown as ArrayLike<number>).length}`;
  if (typeof v === 'function') return 'a function';
  return `an object (${Object.prototype.toString.call(v)})`;
}

/** Throw a ValueError of the form "Invalid value for `name`: expected …. Received: …". */
export function invalid(name: string, expected: string, received: unknown, fix?: string): never {
  throw new ValueError(
    `Invalid value for \`${name}\`: expected ${expected}. Received: ${describe(received)}${fix ? `. ${fix}` : ''}`,
  );
}

export function checkPositiveInt(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) invalid(name, 'a positive integer', v);
  return v as number;
}

export function checkNonNegInt(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) invalid(name, 'a non-negative integer', v);
  return v as number;
}

export function checkNumberInRange(
  name: string,
  v: unknown,
  lo: number,
  hi: number,
  loOpen = false,
  hiOpen = false,
): number {
  const ok = typeof v === 'number' && Number.isFinite(v) && (loOpen ? v > lo : v >= lo) && (hiOpen ? v < hi : v <= hi);
  if (!ok) invalid(name, `a number in ${loOpen ? '(' : '['}${lo}, ${hi}${hiOpen ? ')' : ']'}`, v);
  return v as number;
}
