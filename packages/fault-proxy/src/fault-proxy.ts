import { FaultProxyError } from './errors.js';
import type { Fault } from './fault.js';
import { FaultLink, type LinkStats, type LinkTarget } from './fault-link.js';

/** A link as the control API lists it. */
export interface LinkView {
  readonly name: string;
  readonly port: number;
  readonly target: LinkTarget;
  readonly fault: Fault;
  readonly stats: LinkStats;
}

/**
 * Named links, each a port forwarding to a target through its own fault. Names are the caller's
 * (the stack uses `cart-1>valkey`, `nginx>gateway-2`); `ensure` is idempotent, so whoever starts
 * a process can declare its links again without knowing whether they exist.
 */
export class FaultProxy {
  readonly #links = new Map<string, FaultLink>();

  /**
   * Opens `name` on `port` toward `target`, or points an open one at `target` (keeping its port
   * and fault). A different `port` for an open link is LINK_PORT_CONFLICT.
   */
  async ensure(name: string, port: number, target: LinkTarget): Promise<LinkView> {
    const open = this.#links.get(name);
    if (open) {
      if (port !== 0 && open.port !== port) {
        throw new FaultProxyError(
          'LINK_PORT_CONFLICT',
          `link ${name} listens on ${open.port}, not ${port}`,
        );
      }
      open.retarget(target);
      return view(name, open);
    }
    const link = await FaultLink.open(port, target).catch((cause: unknown) => {
      throw new FaultProxyError('LINK_PORT_IN_USE', `link ${name} cannot listen on ${port}`, {
        cause,
      });
    });
    this.#links.set(name, link);
    return view(name, link);
  }

  setFault(name: string, fault: Fault): LinkView {
    const link = this.#get(name);
    link.setFault(fault);
    return view(name, link);
  }

  get(name: string): LinkView {
    return view(name, this.#get(name));
  }

  list(): LinkView[] {
    return [...this.#links]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, link]) => view(name, link));
  }

  async remove(name: string): Promise<void> {
    const link = this.#get(name);
    this.#links.delete(name);
    await link.close();
  }

  async close(): Promise<void> {
    const links = [...this.#links.values()];
    this.#links.clear();
    await Promise.all(links.map((link) => link.close()));
  }

  /** @private */
  #get(name: string): FaultLink {
    const link = this.#links.get(name);
    if (!link) throw new FaultProxyError('LINK_NOT_FOUND', `no link named ${name}`);
    return link;
  }
}

/** @private */
function view(name: string, link: FaultLink): LinkView {
  return { name, port: link.port, target: link.target, fault: link.fault, stats: link.stats() };
}
