import { SessionDataCorruptError, SessionOptionsInvalidError } from './errors.js';
import type { SessionLogger } from './session-logger.js';

/**
 * The key that carries an attribute's schema version inside its stored JSON object:
 * `{"@v":2,"lines":[…]}`. Seven bytes, written only from version 2 on: a value without it is
 * version 1, which is what every attribute written before it had a schema is.
 */
export const VERSION_KEY = '@v';

/** Turns a value of version `n` into one of version `n + 1`. Pure: it runs on every read. */
export type Upcaster = (previous: unknown) => unknown;

/**
 * How one attribute evolves across the versions of the code that reads it (expand/contract,
 * docs/session-schema-evolution.md). Register it under the attribute's name in
 * `SessionOptions.attributes`.
 *
 * - **Older values are upcast on read**: a handler only ever sees `version`'s shape (or a newer
 *   one, below).
 * - **Newer values are kept, never refused**: a replica that meets a version above its own (a
 *   newer replica wrote it, mid-deploy) hands it to the handler as stored, and when it writes the
 *   attribute back, every top-level field of the stored value that its own value lacks is kept,
 *   under the newer version. So a newer version may only *add* top-level fields to the shape
 *   before it while both run; it must not change what an existing field means.
 * - From version 2 on a value must be a JSON object (the tag lives in it).
 */
export interface AttributeSchema {
  /** The version this code reads and writes: 1, 2, … @default 1 */
  readonly version?: number;
  /** `upcasters[n]` turns version `n` into `n + 1`: one for every `n` from 1 to `version - 1`. */
  readonly upcasters?: Readonly<Record<number, Upcaster>>;
}

/** An attribute as a replica read it: the value its handlers see and the version it was stored at. */
export interface DecodedValue {
  value: unknown;
  version: number;
}

/**
 * The registered schemas, checked once; `decode` and `encode` are where the session turns stored
 * JSON into handler values and back. Attributes without a schema pass through unchanged.
 */
export class AttributeSchemas {
  private readonly schemas: ReadonlyMap<string, Required<AttributeSchema>>;

  constructor(
    input: Readonly<Record<string, AttributeSchema>> | undefined,
    private readonly logger: SessionLogger,
  ) {
    this.schemas = resolveSchemas(input);
  }

  /**
   * A stored value as this replica's handlers see it: without its tag, upcast to the registered
   * version, or as stored when it is newer. Undefined when it cannot be read (an upcaster threw,
   * or the tag is not a version): logged as corrupt, and the attribute reads as absent.
   */
  decode(name: string, stored: unknown): DecodedValue | undefined {
    const schema = this.schemas.get(name);
    if (!schema) return { value: stored, version: 1 };
    try {
      const tagged = versionOf(stored);
      let { value } = tagged;
      for (let v = tagged.version; v < schema.version; v++) {
        value = (schema.upcasters[v] as Upcaster)(value);
      }
      return { value, version: tagged.version };
    } catch (err) {
      this.logger.warn(
        { err, attribute: name, code: 'SESSION_DATA_CORRUPT' },
        'ignoring a session attribute that cannot be read at this version; it reads as absent',
      );
      return undefined;
    }
  }

  /**
   * What to store for `value`, written by this replica over `read` (the attribute as it read it;
   * undefined: absent). When `read` is newer, the top-level fields `value` lacks are kept from it
   * and the newer version stays: the older replica changed what it knows and lost nothing else.
   */
  encode(name: string, value: unknown, read: DecodedValue | undefined): unknown {
    const schema = this.schemas.get(name);
    if (!schema) return value;
    let version = schema.version;
    let merged = value;
    if (read && read.version > version) {
      if (isPlainObject(value) && isPlainObject(read.value)) {
        merged = { ...read.value, ...value };
        version = read.version;
      } else {
        this.logger.warn(
          { attribute: name, stored: read.version, own: version },
          'a newer version of this attribute is overwritten by a value that is no object; its fields are lost',
        );
      }
    }
    if (version === 1) return merged;
    if (!isPlainObject(merged)) {
      throw new TypeError(`from version 2 on, attribute "${name}" must be a JSON object`);
    }
    const { [VERSION_KEY]: _ignored, ...fields } = merged;
    return { [VERSION_KEY]: version, ...fields };
  }
}

/** @private The version a stored value carries, and the value without its tag. */
function versionOf(stored: unknown): DecodedValue {
  if (!isPlainObject(stored) || !(VERSION_KEY in stored)) return { value: stored, version: 1 };
  const { [VERSION_KEY]: version, ...value } = stored;
  if (!Number.isSafeInteger(version) || (version as number) < 2) {
    throw new SessionDataCorruptError(`"${VERSION_KEY}" is not a version from 2 up`);
  }
  return { value, version: version as number };
}

/** @private */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** @private Checks every schema once, at start-up, naming the field that is wrong. */
function resolveSchemas(
  input: Readonly<Record<string, AttributeSchema>> | undefined,
): Map<string, Required<AttributeSchema>> {
  const resolved = new Map<string, Required<AttributeSchema>>();
  if (input === undefined) return resolved;
  if (!isPlainObject(input)) {
    throw new SessionOptionsInvalidError('attributes', 'must be an object: name → schema');
  }
  for (const [name, schema] of Object.entries(input) as [string, AttributeSchema][]) {
    const field = `attributes.${name}`;
    if (schema === null || typeof schema !== 'object') {
      throw new SessionOptionsInvalidError(field, 'must be an object');
    }
    const version = schema.version ?? 1;
    if (!Number.isSafeInteger(version) || version < 1) {
      throw new SessionOptionsInvalidError(`${field}.version`, 'must be an integer from 1 up');
    }
    const upcasters = schema.upcasters ?? {};
    for (let v = 1; v < version; v++) {
      if (typeof upcasters[v] !== 'function') {
        throw new SessionOptionsInvalidError(
          `${field}.upcasters`,
          `needs a function for ${v} (turning version ${v} into ${v + 1})`,
        );
      }
    }
    for (const key of Object.keys(upcasters)) {
      if (!(Number(key) >= 1 && Number(key) < version)) {
        throw new SessionOptionsInvalidError(
          `${field}.upcasters`,
          `has ${key}, but only 1 to ${version - 1} upcast to version ${version}`,
        );
      }
    }
    resolved.set(name, { version, upcasters });
  }
  return resolved;
}
