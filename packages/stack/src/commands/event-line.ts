import type { StackEvent } from '../stack-driver.js';

/** One compact, aligned line per event: `12:03:04.512 cart-1     ready     pid=4242 port=40121`. */
export function formatEvent(event: StackEvent, at: Date = new Date()): string {
  const time = at.toISOString().slice(11, 23);
  const fields = [
    event.pid === undefined ? '' : `pid=${event.pid}`,
    event.port === undefined ? '' : `port=${event.port}`,
    event.detail ?? '',
  ].filter(Boolean);
  return `${time} ${event.name.padEnd(14)} ${event.event.padEnd(9)} ${fields.join(' ')}`.trimEnd();
}
