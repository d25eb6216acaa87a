// validate.ts - argument checks with pointed messages, in sharp's style
// ("Expected positive integer for width but received -1 of type number"),
// and a "did you mean" for misspelled option keys. Runs before any native call.

/** Describes a received value for an error message. */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return `'${value.length > 40 ? `${value.slice(0, 40)}...` : value}' of type string`;
  if (typeof value === 'object') return `an object of type ${value.constructor?.name ?? 'Object'}`;
  if (typeof value === 'function') return 'a function';
  return `${String(value)} of type ${typeof value}`;
}

/** TypeError or RangeError: "Expected <expected> for <name> but received <value>". */
export function invalidParameter(name: string, expected: string, value: unknown): TypeError | RangeError {
  const message = `Expected ${expected} for ${name} but received ${describe(value)}`;
  return typeof value === 'number' || (typeof value === 'string' && expected.startsWith('one of'))
    ? new RangeError(message)
    : new TypeError(message);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function checkInteger(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new TypeError(`Expected ${min === 1 ? 'positive ' : ''}integer for ${name} but received ${describe(value)}`);
  }
  if (value < min || value > max) {
    const expected = min === 1 && value < 1 ? 'positive integer' : `integer between ${min} and ${max}`;
    throw new RangeError(`Expected ${expected} for ${name} but received ${describe(value)}`);
  }
  return value;
}

export function checkPositiveInteger(name: string, value: unknown, max = 2 ** 31 - 1): number {
  return checkInteger(name, value, 1, max);
}

export function checkNumber(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || Number.isNaN(value)) throw invalidParameter(name, 'number', value);
  if (value < min || value > max) {
    throw new RangeError(`Expected number between ${min} and ${max} for ${name} but received ${describe(value)}`);
  }
  return value;
}

export function checkBoolean(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw invalidParameter(name, 'boolean', value);
  return value;
}

export function checkString(name: string, value: unknown, maxBytes?: number): string {
  if (typeof value !== 'string') throw invalidParameter(name, 'string', value);
  if (maxBytes !== undefined && Buffer.byteLength(value) > maxBytes) {
    throw new RangeError(`Expected string of at most ${maxBytes} bytes for ${name} but received ${Buffer.byteLength(value)} bytes`);
  }
  return value;
}

export function checkOneOf<T extends string>(name: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    const guess = typeof value === 'string' ? closest(value.toLowerCase(), allowed) : undefined;
    const err = invalidParameter(name, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`, value);
    if (guess) err.message += ` (did you mean '${guess}'?)`;
    throw err;
  }
  return value as T;
}

/** Edit distance (Levenshtein), for "did you mean". */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

/** The allowed word nearest to `word`, if it is close enough to be a typo. */
export function closest(word: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const a of allowed) {
    const d = a.toLowerCase() === word.toLowerCase() ? 0 : editDistance(word.toLowerCase(), a.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = a;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(best.length / 3)) ? best : undefined;
}

/**
 * Checks that `options` is an object whose keys are all in `allowed`;
 * an unknown key throws a TypeError with a "did you mean" suggestion.
 */
export function checkOptions<T = Record<string, unknown>>(what: string, options: unknown, allowed: readonly string[]): T {
  if (options === undefined) return {} as T;
  if (!isPlainObject(options)) throw invalidParameter(what, 'object', options);
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      const guess = closest(key, allowed);
      throw new TypeError(
        `Unknown option "${key}" for ${what}${guess ? ` (did you mean "${guess}"?)` : ''}; known options: ${allowed.join(', ')}`,
      );
    }
  }
  return options as T;
}

/** An optional AbortSignal option. */
export function checkSignal(name: string, value: unknown): AbortSignal | undefined {
  if (value === undefined) return undefined;
  if (!(value instanceof AbortSignal)) throw invalidParameter(name, 'AbortSignal', value);
  return value;
}
