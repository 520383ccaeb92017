import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { RawAnswer, RawRequest } from './raw-request.js';

/** What {@link oversizedRequest} draws from. */
export interface OversizedRequestOptions {
  /** `METHOD /target` of each route that reads a body. */
  routes: readonly string[];
  /** Body sizes in bytes, all over the route's limit. */
  sizes: readonly number[];
  /** Header lines sent before `Content-Type: application/json` (e.g. the victim's token). */
  headers?: readonly (readonly [string, string])[];
}

/**
 * A JSON request whose body is over the limit, framed by `Content-Length` (the raw client adds
 * it) or sent as one chunk with `Transfer-Encoding: chunked`: a server that only checks the
 * declared length lets the second through.
 */
export function oversizedRequest(options: OversizedRequestOptions): fc.Arbitrary<RawRequest> {
  return fc
    .tuple(fc.constantFrom(...options.routes), fc.constantFrom(...options.sizes), fc.boolean())
    .map(([route, size, chunked]) => {
      const [method = '', target = ''] = route.split(' ');
      const body = Buffer.alloc(size, 'x');
      return {
        method,
        target,
        headers: [
          ...(options.headers ?? []),
          ['Content-Type', 'application/json'],
          ...(chunked ? [['Transfer-Encoding', 'chunked'] as const] : []),
        ],
        body: chunked
          ? Buffer.concat([
              Buffer.from(`${size.toString(16)}\r\n`),
              body,
              Buffer.from('\r\n0\r\n\r\n'),
            ])
          : body,
      };
    });
}

/**
 * The property that every body over the limit is refused with a 413 `PAYLOAD_TOO_LARGE` JSON
 * error, however it is framed. `check` sends a request the app's own way (with the app's own
 * checks of what a refused request may not change) and resolves the answer.
 */
export async function assertOversizedBodiesRefused(
  check: (request: RawRequest) => Promise<RawAnswer>,
  options: OversizedRequestOptions & { numRuns: number },
): Promise<void> {
  await fc.assert(
    fc.asyncProperty(oversizedRequest(options), async (request) => {
      const answer = await check(request);
      assert.equal(answer.status, 413);
      assert.match(answer.body, /PAYLOAD_TOO_LARGE/);
    }),
    { numRuns: options.numRuns },
  );
}
