import { readFileSync } from 'node:fs';
import type { Cluster, Redis } from 'ioredis';

/**
 * The Lua scripts, registered on the client with ioredis' `defineCommand`, which hashes each one
 * once and sends EVALSHA, falling back to EVAL on NOSCRIPT (after a Valkey restart, say).
 */
const SCRIPTS = {
  batonLoadAndTouch: { file: 'load-and-touch.lua', numberOfKeys: 1 },
  batonSaveDelta: { file: 'save-delta.lua', numberOfKeys: 1 },
  batonCompareAndSet: { file: 'compare-and-set.lua', numberOfKeys: 1 },
  batonTake: { file: 'take.lua', numberOfKeys: 1 },
} as const;

type ScriptName = keyof typeof SCRIPTS;
type ScriptCall = (key: string, ...args: (string | number)[]) => Promise<unknown>;

/** A client with Baton's scripts defined on it. */
export type ScriptedClient = (Redis | Cluster) & Record<ScriptName, ScriptCall>;

/** Defines the scripts on the client (once per client; calling it again is harmless). */
export function withScripts(client: Redis | Cluster): ScriptedClient {
  for (const [name, { file, numberOfKeys }] of Object.entries(SCRIPTS)) {
    if (typeof (client as unknown as Record<string, unknown>)[name] === 'function') continue;
    const lua = readFileSync(new URL(file, import.meta.url), 'utf8');
    client.defineCommand(name, { lua, numberOfKeys });
  }
  return client as ScriptedClient;
}
