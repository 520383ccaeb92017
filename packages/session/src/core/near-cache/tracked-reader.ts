import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import type { SessionLogger, SessionObserver } from '../options.js';
import { ValkeySessionStore } from '../valkey-session-store.js';

type NearCacheLoad = (key: string, now: number, touchIntervalMs: number) => Promise<unknown>;

/**
 * The near cache's reads: the store's load (same parsing, same corrupt-data and error handling)
 * sent on the tracked connection with near-cache-load.lua, which slides the expiry only once per
 * touch interval. Only `loadAndTouch` is used; writes go through the application's client.
 */
export class TrackedReader extends ValkeySessionStore {
  constructor(
    private readonly connection: Redis,
    namespace: string,
    logger: SessionLogger,
    private readonly touchIntervalMs: number,
    observer?: SessionObserver,
  ) {
    super(connection, namespace, logger, observer);
    connection.defineCommand('batonNearCacheLoad', {
      lua: readFileSync(new URL('../scripts/near-cache-load.lua', import.meta.url), 'utf8'),
      numberOfKeys: 1,
    });
  }

  protected override loadScript(id: string, now: number): Promise<unknown> {
    const load = (this.connection as unknown as { batonNearCacheLoad: NearCacheLoad })
      .batonNearCacheLoad;
    return load.call(this.connection, this.keys.sessionKey(id), now, this.touchIntervalMs);
  }
}
