/**
 * The channel on which the gateways hear that a session's cart changed, so they can push it to
 * that session's open WebSockets (other tabs, other devices): `PUBLISH <namespace>:cart-changes
 * <session id>`, sent by the compare-and-set script itself (`session.update(…, { publish })`).
 *
 * - **The public id, never the token**: anyone may subscribe to a channel.
 * - **In the write's own script**: the message leaves Valkey in the same atomic step as the
 *   change, so a gateway that loads the session on this message reads the change
 *   (read-your-writes for the pushed reader), loads for one session come back in the order of
 *   these messages, and an add stays one compare-and-set round trip, the notification included.
 *   A write that did not happen (a conflict, a replay) publishes nothing.
 * - **Pub/Sub, not the session event stream**: a cart change is a transient "look again" hint
 *   for sockets that are open right now, needed by every gateway at once. The stream keeps
 *   entries and hands each to one consumer per group; a change nobody is watching needs neither.
 *
 * The name is a contract with the gateway (apps/gateway/src/live/cart-changes.ts).
 */
export function cartChangesChannel(namespace: string): string {
  return `${namespace}:cart-changes`;
}
