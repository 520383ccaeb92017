import { FaultProxyError } from './errors.js';
import type { Fault } from './fault.js';
import type { LinkTarget } from './fault-link.js';
import type { LinkView } from './fault-proxy.js';

/** Talks to a running proxy's control API (another process: the stack's `fault-proxy`). */
export class FaultProxyClient {
  readonly #base: string;

  /** `controlPort` on 127.0.0.1. */
  constructor(controlPort: number) {
    this.#base = `http://127.0.0.1:${controlPort}`;
  }

  links(): Promise<LinkView[]> {
    return this.#call('GET', '/links');
  }

  link(name: string): Promise<LinkView> {
    return this.#call('GET', `/links/${encodeURIComponent(name)}`);
  }

  /** Opens the link (port 0: any free port) or points it at `target`; idempotent. */
  ensure(name: string, port: number, target: LinkTarget): Promise<LinkView> {
    return this.#call('PUT', `/links/${encodeURIComponent(name)}`, { port, target });
  }

  setFault(name: string, fault: Fault): Promise<LinkView> {
    return this.#call('PUT', `/links/${encodeURIComponent(name)}/fault`, fault);
  }

  async remove(name: string): Promise<void> {
    await this.#call('DELETE', `/links/${encodeURIComponent(name)}`);
  }

  /** @private */
  async #call<T>(method: string, path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.#base}${path}`, {
        method,
        ...(body === undefined
          ? {}
          : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
        signal: AbortSignal.timeout(5_000),
      });
    } catch (cause) {
      throw new FaultProxyError(
        'FAULT_PROXY_UNREACHABLE',
        `no fault proxy answers on ${this.#base}`,
        { cause },
      );
    }
    if (response.status === 204) return undefined as T;
    const json = (await response.json()) as T & { error?: { code: string; message: string } };
    if (!response.ok) {
      const code = (json.error?.code ?? 'FAULT_PROXY_INPUT_INVALID') as FaultProxyError['code'];
      throw new FaultProxyError(
        code,
        json.error?.message ?? `${method} ${path}: ${response.status}`,
      );
    }
    return json;
  }
}
