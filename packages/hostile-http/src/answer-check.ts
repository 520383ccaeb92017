import assert from 'node:assert/strict';
import { type RawAnswer, type RawRequest, rawRequest } from './raw-request.js';

/** What a route may legitimately answer besides its 4xx errors (e.g. `[200, 201]`). */
export interface WellBehavedOptions {
  /** Success statuses this request may get. @default [] (only 4xx is acceptable) */
  success?: readonly number[];
  /** The request was HEAD: no body to check. */
  head?: boolean;
}

/**
 * The platform's promise for any input: a 2xx the route legitimately gives, or a 4xx whose body
 * is `{ "error": { "code", "message" } }` in JSON, saying what is wrong. Never a 5xx. Returns a
 * description of the first broken promise, or undefined when the answer keeps them all (so a
 * fast-check property can report the request that broke it).
 */
export function misbehaviour(
  answer: RawAnswer,
  options: WellBehavedOptions = {},
): string | undefined {
  const { status } = answer;
  if ((options.success ?? []).includes(status)) return undefined;
  if (status < 400 || status >= 500) return `status ${status}`;
  if (options.head) return undefined;
  if (!/^application\/json\b/.test(answer.headers['content-type'] ?? '')) {
    return `${status} with Content-Type ${answer.headers['content-type']}: ${answer.body.slice(0, 120)}`;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.body);
  } catch {
    return `${status} with a body that is not JSON: ${answer.body.slice(0, 120)}`;
  }
  const error = (parsed as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  if (typeof error?.code !== 'string' || !/^[A-Z][A-Z0-9_]*$/.test(error.code)) {
    return `${status} without an error code: ${answer.body.slice(0, 120)}`;
  }
  if (typeof error.message !== 'string' || error.message.length === 0) {
    return `${status} ${error.code} without a message`;
  }
  return undefined;
}

/** The error code of a JSON error answer, or undefined. */
export function errorCodeOf(answer: RawAnswer): string | undefined {
  try {
    const code = (JSON.parse(answer.body) as { error?: { code?: unknown } }).error?.code;
    return typeof code === 'string' ? code : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Sends `request` to the server on `port` and asserts that its answer keeps the platform's
 * promise ({@link misbehaviour}: one of `success`, or a 4xx JSON error; a HEAD answer has no body
 * to check), naming the request when it does not. Resolves the answer for the caller's own checks.
 */
export async function expectWellBehaved(
  port: number,
  request: RawRequest,
  success: readonly number[] = [],
): Promise<RawAnswer> {
  const answer = await rawRequest(port, request);
  const problem = misbehaviour(answer, { success, head: request.method === 'HEAD' });
  assert.equal(problem, undefined, `${request.method} ${request.target.slice(0, 100)}: ${problem}`);
  return answer;
}
