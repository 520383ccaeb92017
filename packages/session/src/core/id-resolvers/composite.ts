import type { RequestHeaders, ResponseHeaders, SessionIdResolver } from './id-resolver.js';

/**
 * Tries each resolver in order and takes the first token found (header first, then cookie, for
 * a gateway that serves browsers and API clients alike). `set` and `expire` go to all of them,
 * so a browser gets its cookie and an API client its header.
 */
export class CompositeIdResolver implements SessionIdResolver {
  constructor(private readonly resolvers: readonly SessionIdResolver[]) {}

  resolve(req: RequestHeaders): string | undefined {
    for (const resolver of this.resolvers) {
      const token = resolver.resolve(req);
      if (token !== undefined) return token;
    }
    return undefined;
  }

  set(res: ResponseHeaders, token: string): void {
    for (const resolver of this.resolvers) resolver.set(res, token);
  }

  expire(res: ResponseHeaders): void {
    for (const resolver of this.resolvers) resolver.expire(res);
  }
}
