import type { Redis } from 'ioredis';

/** One line of CLIENT LIST, the fields the bench reads. */
export interface ClientInfo {
  readonly id: string;
  readonly addr: string;
  readonly name: string;
}

/** Every connection Valkey has, from CLIENT LIST. */
export async function listClients(admin: Redis): Promise<ClientInfo[]> {
  const text = String(await admin.call('CLIENT', 'LIST'));
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const fields = new Map(
        line
          .trim()
          .split(' ')
          .map((pair) => {
            const at = pair.indexOf('=');
            return [pair.slice(0, at), pair.slice(at + 1)] as const;
          }),
      );
      return {
        id: fields.get('id') ?? '',
        addr: fields.get('addr') ?? '',
        name: fields.get('name') ?? '',
      };
    });
}

/** The cart replicas' connections (named `cart-1`, `cart-2`: every variant names its clients so). */
export function isCartClient(client: Pick<ClientInfo, 'name'>): boolean {
  return /^cart-\d+$/.test(client.name);
}
