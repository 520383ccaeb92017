import { readFileSync } from 'node:fs';
import type { Cluster, Redis } from 'ioredis';

/**
 * The Lua scripts, registered on the client with ioredis' `defineCommand`, which hashes each one
 * once and sends EVALSHA, falling back to EVAL on NOSCRIPT (after a Valkey restart, say).
 */
const SCRIPTS = {
  batonLoadAndTouch: { file: 'load-and-touch.lua', numberOfKeys: 1 },
  batonSaveDelta: { file: 'save-delta.lua', numberOfKeys: 1 },
  batonCompareAndSet: { file: 'compare-and-set.lua', numberOfKeys: 2 },
  batonMove: { file: 'move.lua', numberOfKeys: 2 },
  batonBeginMove: { file: 'begin-move.lua', numberOfKeys: 1 },
  batonAbortMove: { file: 'abort-move.lua', numberOfKeys: 1 },
  batonReplace: { file: 'replace.lua', numberOfKeys: 1 },
} as const;

/**
 * Indexed mode's scripts (`indexed/`). Each one is `indexed/lib.lua` followed by its own file;
 * the first three keys are always the ledger, the principal-of hash and the event stream.
 */
const INDEXED_SCRIPTS = {
  batonIndexedLoadAndTouch: { file: 'load-and-touch.lua', numberOfKeys: 4 },
  batonIndexedSaveDelta: { file: 'save-delta.lua', numberOfKeys: 4 },
  batonIndexedCompareAndSet: { file: 'compare-and-set.lua', numberOfKeys: 5 },
  batonIndexedRename: { file: 'rename.lua', numberOfKeys: 5 },
  batonIndexedDelete: { file: 'delete.lua', numberOfKeys: 4 },
  batonIndexedRevoke: { file: 'revoke.lua', numberOfKeys: 4 },
  batonIndexedFindByPrincipal: { file: 'find-by-principal.lua', numberOfKeys: 4 },
  batonIndexedReap: { file: 'reap.lua', numberOfKeys: 3 },
  batonIndexedSweep: { file: 'sweep.lua', numberOfKeys: 3 },
} as const;

/**
 * Indexed mode's scripts on a Cluster (`cluster/`): the index half, each one `cluster/lib.lua`
 * followed by its own file, on the three index keys that share the `{index}` slot. The session
 * half is the plain scripts above and `batonDeleteIfPrincipal`, one session key each.
 */
const CLUSTER_INDEX_SCRIPTS = {
  batonClusterTrack: { file: 'track.lua', numberOfKeys: 3 },
  batonClusterUntrackPrincipal: { file: 'untrack-principal.lua', numberOfKeys: 3 },
  batonClusterDue: { file: 'due.lua', numberOfKeys: 3 },
  batonClusterSettle: { file: 'settle.lua', numberOfKeys: 3 },
} as const;

type ScriptName = keyof typeof SCRIPTS;
type ClusterIndexScriptName = keyof typeof CLUSTER_INDEX_SCRIPTS;
type IndexedScriptName = keyof typeof INDEXED_SCRIPTS;
type ScriptCall = (key: string, ...args: (string | number)[]) => Promise<unknown>;
/** Keys first (as many as the script's numberOfKeys), then arguments. */
type MultiKeyScriptCall = (...keysThenArgs: (string | number)[]) => Promise<unknown>;

/** A client with Baton's scripts defined on it. */
export type ScriptedClient = (Redis | Cluster) &
  Record<Exclude<ScriptName, 'batonMove'>, ScriptCall> & { batonMove: MultiKeyScriptCall };

/** A client with the indexed-mode scripts defined on it as well. */
export type IndexedScriptedClient = ScriptedClient & Record<IndexedScriptName, MultiKeyScriptCall>;

/** A client with the Cluster indexed-mode scripts defined on it as well. */
export type ClusterIndexScriptedClient = ScriptedClient &
  Record<ClusterIndexScriptName, MultiKeyScriptCall> & { batonDeleteIfPrincipal: ScriptCall };

/** Defines the scripts on the client (once per client; calling it again is harmless). */
export function withScripts(client: Redis | Cluster): ScriptedClient {
  define(client, SCRIPTS, (file) => read(file));
  return client as ScriptedClient;
}

/** Defines the plain and the indexed-mode scripts on the client. */
export function withIndexedScripts(client: Redis | Cluster): IndexedScriptedClient {
  withScripts(client);
  const lib = read('indexed/lib.lua');
  define(client, INDEXED_SCRIPTS, (file) => lib + read(`indexed/${file}`));
  return client as IndexedScriptedClient;
}

/**
 * Defines the plain scripts and indexed mode's Cluster scripts. ioredis' Cluster keeps one
 * EVALSHA cache per node and falls back to EVAL on the node that answers NOSCRIPT.
 */
export function withClusterIndexScripts(client: Redis | Cluster): ClusterIndexScriptedClient {
  withScripts(client);
  const lib = read('cluster/lib.lua');
  define(client, CLUSTER_INDEX_SCRIPTS, (file) => lib + read(`cluster/${file}`));
  define(
    client,
    { batonDeleteIfPrincipal: { file: 'cluster/delete-if-principal.lua', numberOfKeys: 1 } },
    read,
  );
  return client as ClusterIndexScriptedClient;
}

/** @private */
function define(
  client: Redis | Cluster,
  scripts: Record<string, { file: string; numberOfKeys: number }>,
  source: (file: string) => string,
): void {
  for (const [name, { file, numberOfKeys }] of Object.entries(scripts)) {
    if (typeof (client as unknown as Record<string, unknown>)[name] === 'function') continue;
    client.defineCommand(name, { lua: source(file), numberOfKeys });
  }
}

/** @private */
function read(file: string): string {
  return readFileSync(new URL(file, import.meta.url), 'utf8');
}
