import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  FLOOR,
  GATEWAY_QUICK,
  type GatewayBenchResults,
  type GatewayRun,
} from './gateway-bench.js';
import { gatewayRows } from './gateway-report.js';

const run = (build: string, route: string, repeat: number, gatewayMicros: number): GatewayRun => ({
  build,
  route,
  repeat,
  ok: 1000,
  failed: build === FLOOR ? 0 : repeat - 1,
  requestsPerSecond: 1000,
  gatewayMicros,
  cartMicros: 100,
});

describe('gatewayRows', () => {
  test('medians per build and route, each gateway build read against the floor of its route', () => {
    const results: GatewayBenchResults = {
      loadAverage: [0, 0],
      plan: GATEWAY_QUICK,
      profiles: [],
      runs: [
        run('current', 'GET /cart', 1, 230),
        run(FLOOR, 'GET /cart', 1, 150),
        run('current', 'POST /cart/:item', 1, 260),
        run(FLOOR, 'POST /cart/:item', 1, 140),
        run('current', 'GET /cart', 2, 210),
        run(FLOOR, 'GET /cart', 2, 160),
        run('current', 'POST /cart/:item', 2, 250),
        run(FLOOR, 'POST /cart/:item', 2, 145),
        run('current', 'GET /cart', 3, 220),
        run(FLOOR, 'GET /cart', 3, 155),
        run('current', 'POST /cart/:item', 3, 240),
        run(FLOOR, 'POST /cart/:item', 3, 150),
      ],
    };
    const rows = gatewayRows(results);
    const row = (build: string, route: string) =>
      rows.find((r) => r.build === build && r.route === route);
    assert.equal(row('current', 'GET /cart')?.gateway, 220);
    assert.equal(row('current', 'GET /cart')?.overFloor, 220 - 155);
    assert.equal(row('current', 'POST /cart/:item')?.overFloor, 250 - 145);
    assert.ok(Number.isNaN(row(FLOOR, 'GET /cart')?.overFloor), 'the floor is not above itself');
    assert.equal(row('current', 'GET /cart')?.failed, 0 + 1 + 2, 'failures add up over repeats');
  });
});
