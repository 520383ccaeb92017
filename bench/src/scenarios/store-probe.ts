import { createClient } from 'redis';
import { RedisStore } from 'connect-redis';
import {
  SessionManager,
  type SessionStore,
  createValkeyClient,
  waitUntilReady,
} from '@baton/session';
import type { SessionData } from 'express-session';
import { BASELINE_PREFIX } from '../variants/baseline-cart.js';
import type { PreloadedSession } from '../sessions/session-formats.js';
import { BATON_NAMESPACE } from '../sessions/session-formats.js';
import type { ScaleVariantName } from '../variants/variant.js';

/** Times one session load and one save of its cart, through the variant's own store library. */
export interface StoreProbe {
  loadAndSave(sample: number): Promise<{ loadMs: number; saveMs: number }>;
  close(): Promise<void>;
}

/**
 * The store calls a request makes, without HTTP around them: for Baton, `loadAndTouch` and the
 * cart's `compareAndSet` (what `session.update()` sends), through `SessionManager`'s store on its
 * own ioredis client; for the baseline, connect-redis' `get` and `set` on its own node-redis
 * client. The save writes the cart it loaded, so the sessions keep their size.
 */
export async function storeProbe(
  variant: ScaleVariantName,
  url: string,
  samples: readonly PreloadedSession[],
): Promise<StoreProbe> {
  if (variant === 'baton') {
    const client = createValkeyClient({ url, connectionName: 'bench-store-probe' });
    await waitUntilReady(client);
    const store: SessionStore = new SessionManager({ client, namespace: BATON_NAMESPACE }).store;
    const ids = samples.map((s) => s.storeId);
    return {
      async loadAndSave(sample) {
        const id = ids[sample] as string;
        let t = performance.now();
        const record = await store.loadAndTouch(id, Date.now());
        const loadMs = performance.now() - t;
        const cart = record?.attributes.get('cart');
        if (!record || !cart) throw new Error(`baton: preloaded session ${id} did not load`);
        t = performance.now();
        const result = await store.compareAndSet(
          id,
          'cart',
          cart.json,
          cart.json,
          record.maxInactiveMs,
        );
        const saveMs = performance.now() - t;
        if (result.outcome !== 'written')
          throw new Error(`baton: compare-and-set ${result.outcome}`);
        return { loadMs, saveMs };
      },
      async close() {
        await client.quit();
      },
    };
  }
  const client = createClient({ url });
  await client.connect();
  const store = new RedisStore({ client, prefix: BASELINE_PREFIX });
  const sids = samples.map((s) => s.storeId);
  return {
    async loadAndSave(sample) {
      const sid = sids[sample] as string;
      let t = performance.now();
      const session = (await store.get(sid)) as SessionData | null;
      const loadMs = performance.now() - t;
      if (!session) throw new Error(`baseline: preloaded session ${sid} did not load`);
      t = performance.now();
      await store.set(sid, session);
      return { loadMs, saveMs: performance.now() - t };
    },
    async close() {
      await client.close();
    },
  };
}
