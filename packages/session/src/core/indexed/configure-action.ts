import type { Redis } from 'ioredis';

/**
 * What indexed mode asks of the server before it relies on keyspace notifications (Spring
 * Session's `ConfigureRedisAction`). It runs when the manager starts and again every time the
 * client reconnects, because a Valkey restarted without a config file forgets `CONFIG SET`.
 */
export interface ConfigureValkeyAction {
  configure(client: Redis): Promise<void>;
}

/** The flags indexed mode needs: keyevent channel (E), generic commands (g), expirations (x). */
export const REQUIRED_KEYSPACE_EVENTS = 'Egx';

/**
 * `configureAction: 'auto'`: reads `notify-keyspace-events` and, if a required flag is missing,
 * sets it to the union of what was there and `Egx`; flags somebody else set are kept.
 */
export class ConfigureNotifyKeyspaceEventsAction implements ConfigureValkeyAction {
  async configure(client: Redis): Promise<void> {
    const reply = (await client.config('GET', 'notify-keyspace-events')) as string[];
    const current = reply[1] ?? '';
    const wanted = withKeyspaceEvents(current, REQUIRED_KEYSPACE_EVENTS);
    if (wanted !== current) await client.config('SET', 'notify-keyspace-events', wanted);
  }
}

export const ConfigureValkeyAction = {
  /** `configureAction: 'auto'`. */
  NOTIFY_KEYSPACE_EVENTS: new ConfigureNotifyKeyspaceEventsAction() as ConfigureValkeyAction,
  /**
   * `configureAction: 'none'`: never sends CONFIG. For managed services that refuse it
   * (ElastiCache, Memorystore…): set `notify-keyspace-events Egx` in their parameter group.
   */
  NO_OP: { configure: () => Promise.resolve() } as ConfigureValkeyAction,
} as const;

/**
 * `current` plus whichever flags of `required` it lacks. `A` (all classes) already covers `g`
 * and `x`; the server accepts the flags in any order.
 */
export function withKeyspaceEvents(current: string, required: string): string {
  const covered = new Set(current.includes('A') ? [...current, ...'g$lshzxet'] : current);
  let flags = current;
  for (const flag of required) if (!covered.has(flag)) flags += flag;
  return flags;
}
