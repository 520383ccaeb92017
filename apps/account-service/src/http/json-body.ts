import express, { type RequestHandler } from 'express';

/** A login is two short strings; anything near this size is a mistake or an attack. */
export const BODY_LIMIT = '8kb';

/**
 * Parses `application/json` bodies up to {@link BODY_LIMIT}. Used instead of Nest's built-in
 * parser (`bodyParser: false`), whose limit is 100kb. Its errors (malformed JSON, too large)
 * reach Nest's exception layer, where {@link JsonExceptionFilter} answers them.
 */
export function jsonBody(): RequestHandler {
  return express.json({ limit: BODY_LIMIT });
}
