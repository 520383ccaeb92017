import type { PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { ApiException } from './api.exception.js';

/**
 * Validates a `@Body()` (or any parameter) with a zod schema and hands the handler the parsed,
 * typed value. A failure is a 400 that names the field: `INVALID_USERNAME`, "username: is
 * required". A body that is not a JSON object at all (no body, a form post, an array) is
 * `INVALID_BODY`.
 *
 * @example
 * login(@Body(new ZodValidationPipe(loginBody)) body: LoginDto) { … }
 */
export class ZodValidationPipe<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown): z.infer<S> {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new ApiException(
        400,
        'INVALID_BODY',
        'The body must be a JSON object, sent with Content-Type: application/json',
      );
    }
    const parsed = this.schema.safeParse(value);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    if (issue?.code === 'unrecognized_keys') {
      throw new ApiException(400, 'UNKNOWN_FIELD', `Unknown field(s): ${issue.keys.join(', ')}`);
    }
    const field = issue?.path.join('.') || 'body';
    throw new ApiException(
      400,
      `INVALID_${field.replace(/\W/g, '_').toUpperCase()}`,
      `${field}: ${issue?.message ?? 'is invalid'}`,
    );
  }
}
