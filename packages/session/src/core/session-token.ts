import { createHash, randomBytes } from 'node:crypto';

/** 256 bits from the CSPRNG, base64url: 43 characters, no padding. */
const TOKEN_BYTES = 32;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** A new session token: what the client holds (cookie or header), and nothing else does. */
export function newSessionToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

/** Anything else a client sends (too long, too short, other characters) is never looked up. */
export function isWellFormedToken(token: string): boolean {
  return TOKEN_PATTERN.test(token);
}

/**
 * The session's id: SHA-256 of the token, base64url. Valkey keys, logs and APIs use only this,
 * so a key listing, a replica or a dump never yields a token that logs anyone in.
 */
export function sessionIdOf(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
