import express, { type RequestHandler } from 'express';
import { ApiError } from './api-error.js';

/** A cart request is a sku and a number; anything near this size is a mistake or an attack. */
export const BODY_LIMIT = '16kb';

/** Parses `application/json` bodies up to {@link BODY_LIMIT}; errors reach the error handler. */
export function jsonBody(): RequestHandler {
  return express.json({ limit: BODY_LIMIT });
}

/**
 * For routes that read a body: anything but JSON (a form post, text, no body at all) is 415,
 * rather than being mistaken for an empty object.
 */
export function requireJson(): RequestHandler {
  return function requireJsonBody(req, _res, next) {
    if (req.is('application/json')) return next();
    next(
      new ApiError(
        415,
        'UNSUPPORTED_MEDIA_TYPE',
        'Send the body as JSON with Content-Type: application/json',
      ),
    );
  };
}
