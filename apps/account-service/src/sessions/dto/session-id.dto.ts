import type { PipeTransform } from '@nestjs/common';
import { ApiException } from '../../http/api.exception.js';

/** A session's public handle: base64url of a SHA-256, 43 characters. */
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

/**
 * Checks the `:id` of `DELETE /api/account/sessions/:id` before anything reads the store: a
 * malformed one is 400 `INVALID_SESSION_ID`, so only well-formed ids ever reach the index (where
 * somebody else's or an unknown one is a 404).
 */
export class SessionIdPipe implements PipeTransform<unknown, string> {
  transform(value: unknown): string {
    if (typeof value === 'string' && SESSION_ID.test(value)) return value;
    throw new ApiException(
      400,
      'INVALID_SESSION_ID',
      'id: must be a session id from GET /api/account/sessions (43 characters of A-Z a-z 0-9 _ -)',
    );
  }
}
