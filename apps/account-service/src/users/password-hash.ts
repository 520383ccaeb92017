import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/** scrypt's cost parameters: CPU/memory cost `N` (a power of two), block size `r`, parallelism `p`. */
export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/**
 * 2^14 / 8 / 1: the parameters RFC 7914 and OWASP name for interactive logins (16 MiB, tens of
 * milliseconds per attempt), slow enough to make guessing from a leaked hash expensive.
 */
export const DEFAULT_SCRYPT_PARAMS: ScryptParams = { N: 16_384, r: 8, p: 1 };

const SALT_BYTES = 16;
const KEY_BYTES = 32;
const B64URL = /^[A-Za-z0-9_-]+$/;

/**
 * A password hash in the text form the code and `DEMO_USERS` carry:
 * `scrypt$<N>$<r>$<p>$<salt>$<hash>`, salt and hash base64url. Everything needed to verify a
 * password is in the string, so each user can have its own salt and even its own cost.
 */
export class PasswordHash {
  private constructor(
    readonly params: ScryptParams,
    private readonly salt: Buffer,
    private readonly hash: Buffer,
  ) {}

  /** Hashes a password with a fresh random salt. */
  static async create(
    password: string,
    params: ScryptParams = DEFAULT_SCRYPT_PARAMS,
  ): Promise<PasswordHash> {
    const salt = randomBytes(SALT_BYTES);
    return new PasswordHash(params, salt, await derive(password, salt, KEY_BYTES, params));
  }

  /**
   * A hash no password matches, with the given cost: verifying against it takes as long as
   * verifying against a real one, which is what an unknown username must cost.
   */
  static unmatchable(params: ScryptParams): PasswordHash {
    return new PasswordHash(params, randomBytes(SALT_BYTES), randomBytes(KEY_BYTES));
  }

  /** Parses the text form; throws an Error saying what is wrong with it. */
  static parse(text: string): PasswordHash {
    const parts = text.split('$');
    if (parts.length !== 6 || parts[0] !== 'scrypt') {
      throw new Error('must look like scrypt$N$r$p$salt$hash (make one with hash-password)');
    }
    const [, n, r, p, salt, hash] = parts as [string, string, string, string, string, string];
    const params = { N: Number(n), r: Number(r), p: Number(p) };
    const problem = checkParams(params);
    if (problem) throw new Error(problem);
    if (!B64URL.test(salt) || !B64URL.test(hash))
      throw new Error('salt and hash must be base64url');
    const saltBytes = Buffer.from(salt, 'base64url');
    const hashBytes = Buffer.from(hash, 'base64url');
    if (saltBytes.length < 16) throw new Error('salt must be at least 16 bytes');
    if (hashBytes.length < 16 || hashBytes.length > 64) throw new Error('hash must be 16-64 bytes');
    return new PasswordHash(params, saltBytes, hashBytes);
  }

  /**
   * True when `password` is the one hashed. Always derives the full key and compares it in
   * constant time, so how long it takes says nothing about how close a guess was.
   */
  async matches(password: string): Promise<boolean> {
    const derived = await derive(password, this.salt, this.hash.length, this.params);
    return timingSafeEqual(derived, this.hash);
  }

  toString(): string {
    const { N, r, p } = this.params;
    return `scrypt$${N}$${r}$${p}$${this.salt.toString('base64url')}$${this.hash.toString('base64url')}`;
  }
}

/**
 * @private Bounds keep a hash from configuration from turning every login into a memory or CPU
 * bomb (scrypt needs 128·N·r bytes).
 */
function checkParams({ N, r, p }: ScryptParams): string | undefined {
  const powerOfTwo = Number.isSafeInteger(N) && N > 1 && (N & (N - 1)) === 0;
  if (!powerOfTwo || N < 1024 || N > 1_048_576) return 'N must be a power of two from 1024 to 2^20';
  if (!Number.isSafeInteger(r) || r < 1 || r > 32) return 'r must be an integer from 1 to 32';
  if (!Number.isSafeInteger(p) || p < 1 || p > 16) return 'p must be an integer from 1 to 16';
  if (128 * N * r > 256 * 1024 * 1024) return 'N and r need more than 256 MiB (128·N·r)';
  return undefined;
}

/** @private scrypt on libuv's thread pool, so a login does not block the event loop. */
function derive(
  password: string,
  salt: Buffer,
  keyLength: number,
  { N, r, p }: ScryptParams,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // maxmem is a ceiling, not an allocation: it must exceed 128·r·(N + p + 2), or Node refuses
    // costs above its 32 MiB default. Twice 128·N·r covers that for every accepted cost.
    scrypt(password, salt, keyLength, { N, r, p, maxmem: 256 * N * r }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}
