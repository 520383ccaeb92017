import assert from 'node:assert/strict';

/** One user, one cookie, two instances of the app behind no sticky balancer. */
export async function twoInstanceScenario(bases: [string, string]): Promise<{ lost: string[] }> {
  const [one, two] = bases;
  const first = await fetch(`${one}/cart/apple`, { method: 'POST' });
  assert.equal(first.status, 200);
  const cookie = (first.headers.get('set-cookie') ?? '').split(';')[0] as string;
  assert.ok(cookie, 'the first write sets the session cookie');
  const send = (base: string, path: string, method = 'GET') =>
    fetch(`${base}${path}`, { method, headers: { cookie } });

  const second = await send(two, '/cart/pear', 'POST');
  assert.deepEqual(await second.json(), { cart: ['apple', 'pear'] }, 'instance 2 reads 1’s write');

  const names = Array.from({ length: 20 }, (_, i) => `p${i}`);
  const statuses = await Promise.all(
    names.map((name, i) =>
      send(i % 2 ? two : one, `/prefs/${name}/on`, 'PUT').then((r) => r.status),
    ),
  );
  assert.deepEqual(new Set(statuses), new Set([200]));
  const seen = (await (await send(one, '/session')).json()) as {
    cart: string[];
    prefs: Record<string, string>;
  };
  assert.deepEqual(seen.cart, ['apple', 'pear']);
  const lost = names.filter((name) => seen.prefs[name] !== 'on');

  assert.equal((await send(two, '/logout', 'POST')).status, 204);
  const after = (await (await send(one, '/session')).json()) as { cart: string[] };
  assert.deepEqual(after.cart, [], 'a logout on instance 2 ends the session on instance 1');
  return { lost };
}
