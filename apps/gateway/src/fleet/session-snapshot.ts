import type { Cluster, Redis } from 'ioredis';
import type { KeyLayout } from '@baton/session';

/** One hash field of a session key, as the session panel shows it. */
export interface SessionField {
  name: string;
  /** Bytes of the field's name and value as Valkey holds them. */
  bytes: number;
  /** The value, cut at {@link PREVIEW_CHARS} characters. */
  preview: string;
}

/** The browser's own session key as Valkey holds it: never the token (Valkey has only its hash). */
export interface SessionSnapshot {
  /** `myplatform:sessions:sessions:{<sha256 of the token>}`. */
  key: string;
  /** PTTL when read; the panel counts it down. */
  ttlMs: number;
  /** Sum of every field's bytes. */
  bytes: number;
  fields: SessionField[];
}

const PREVIEW_CHARS = 160;

/**
 * HGETALL and PTTL of one session key in one round trip, without touching it (the TTL shown is
 * the one the last real request set). Undefined when the key is gone.
 */
export async function readSessionSnapshot(
  valkey: Redis | Cluster,
  keys: KeyLayout,
  sessionId: string,
): Promise<SessionSnapshot | undefined> {
  const key = keys.sessionKey(sessionId);
  const results = (await valkey.pipeline().hgetall(key).pttl(key).exec()) ?? [];
  const [[hashErr, hash], [ttlErr, ttl]] = [results[0] ?? [null, {}], results[1] ?? [null, -2]];
  if (hashErr) throw hashErr;
  if (ttlErr) throw ttlErr;
  const entries = Object.entries((hash ?? {}) as Record<string, string>);
  if (entries.length === 0 || typeof ttl !== 'number' || ttl < 0) return undefined;
  const fields = entries
    .map(([name, value]) => ({
      name,
      bytes: Buffer.byteLength(name) + Buffer.byteLength(value),
      preview: value.length > PREVIEW_CHARS ? `${value.slice(0, PREVIEW_CHARS)}…` : value,
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
  return { key, ttlMs: ttl, bytes: fields.reduce((sum, f) => sum + f.bytes, 0), fields };
}
