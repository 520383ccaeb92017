import { type Probe, waitUntil } from '@baton/stack';

// The probes themselves (httpOk, tcpAccepts, valkeyPong) are @baton/stack's; this adds only the
// bench's way of failing: an error naming the process and its log.
export { httpOk, tcpAccepts, valkeyPong } from '@baton/stack';

/** Polls `probe` until it passes; throws when the process exited or after `timeoutMs`. */
export async function waitReady(
  name: string,
  probe: Probe,
  exited: () => boolean,
  logFile: string,
  timeoutMs = 30_000,
): Promise<void> {
  const outcome = await waitUntil(probe, () => !exited(), timeoutMs);
  if (outcome === 'exited') throw new Error(`${name} exited while starting; see ${logFile}`);
  if (outcome === 'timeout')
    throw new Error(`${name} was not ready in ${timeoutMs} ms; see ${logFile}`);
}
