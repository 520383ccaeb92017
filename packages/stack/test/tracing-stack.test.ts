// Traces across the hops, for real: the local stack's apps export OTLP/HTTP to a small receiver
// this test runs. One cart add through nginx's edge, carrying the shop's `traceparent`, must come
// back as one trace: the gateway's server span (child of the client's span), cart-service's
// server span as its child (gateway → nginx's cart listener → cart), and the session spans with
// their round trips and bytes.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Stack } from '../src/stack.js';
import { temporaryStack, type TemporaryStack } from './temporary-stack.js';

interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  attributes: Record<string, unknown>;
}

interface OtlpJson {
  resourceSpans?: {
    resource?: { attributes?: { key: string; value: Record<string, unknown> }[] };
    scopeSpans?: {
      spans?: {
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        name: string;
        attributes?: { key: string; value: Record<string, unknown> }[];
      }[];
    }[];
  }[];
}

/** The OTLP/HTTP JSON a receiver gets at /v1/traces, flattened to spans. @private */
function spansOf(body: OtlpJson): ReceivedSpan[] {
  const value = (v: Record<string, unknown>) => Object.values(v)[0];
  return (body.resourceSpans ?? []).flatMap((rs) => {
    const service = String(
      value(rs.resource?.attributes?.find((a) => a.key === 'service.name')?.value ?? {}),
    );
    return (rs.scopeSpans ?? []).flatMap((ss) =>
      (ss.spans ?? []).map((span) => ({
        service,
        traceId: span.traceId,
        spanId: span.spanId,
        parentSpanId: span.parentSpanId ?? '',
        name: span.name,
        attributes: Object.fromEntries((span.attributes ?? []).map((a) => [a.key, value(a.value)])),
      })),
    );
  });
}

describe('traces across the hops (OTLP/HTTP to an in-test receiver)', { timeout: 120_000 }, () => {
  const received: ReceivedSpan[] = [];
  let receiver: Server;
  let temporary: TemporaryStack;
  let stack: Stack;

  before(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        if (req.url === '/v1/traces' && /json/.test(req.headers['content-type'] ?? '')) {
          received.push(...spansOf(JSON.parse(Buffer.concat(chunks).toString()) as OtlpJson));
        }
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const { port } = receiver.address() as AddressInfo;
    temporary = await temporaryStack({
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}` },
    });
    ({ stack } = temporary);
    await stack.up();
  });
  after(async () => {
    await temporary?.dispose();
    receiver?.close();
  });

  it('one cart add: client → gateway → cart in one trace, with session.load and session.commit', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const clientSpan = '00f067aa0ba902b7';
    const first = await fetch(`${stack.edgeUrl}/api/cart/items`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`,
      },
      body: JSON.stringify({ sku: 'apple', qty: 1 }),
    });
    assert.equal(first.status, 201);
    const cookie = first.headers.get('set-cookie')!.split(';')[0]!;
    // The second add loads the stored session and commits onto it: both session steps.
    const added = await fetch(`${stack.edgeUrl}/api/cart/items`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        cookie,
        traceparent: `00-${traceId}-${clientSpan}-01`,
      },
      body: JSON.stringify({ sku: 'pear', qty: 2 }),
    });
    assert.equal(added.status, 201, await added.clone().text());

    let trace: ReceivedSpan[] = [];
    // Each app exports its spans in batches of its own (every 500 ms), in no particular order:
    // wait for both the gateway's and the cart's.
    for (let i = 0; i < 40; i++) {
      trace = received.filter((span) => span.traceId === traceId);
      const fromCart = trace.some((s) => s.service === 'cart' && s.name.startsWith('session.'));
      const fromGateway = trace.some((s) => s.service === 'gateway');
      if (fromCart && fromGateway) break;
      await sleep(250);
    }
    console.log(
      `trace ${traceId}: ${trace.map((s) => `${s.service}:${s.name} ${JSON.stringify(s.attributes)}`).join(' | ')}`,
    );
    const gateway = trace.find((s) => s.service === 'gateway' && s.parentSpanId === clientSpan);
    assert.ok(gateway, 'the gateway continues the client span');
    const cart = trace.find((s) => s.service === 'cart' && s.parentSpanId === gateway.spanId);
    assert.ok(cart, "cart-service's server span is a child of the gateway's");
    const session = trace.filter((s) => s.service === 'cart' && s.parentSpanId === cart.spanId);
    const load = session.find((s) => s.name === 'session.load');
    assert.ok(load, 'session.load under the cart span');
    assert.equal(load.attributes['baton.session.round_trips'], 1);
    assert.ok(Number(load.attributes['baton.session.bytes']) > 0, 'it loaded the apple');
    const writes = session.filter(
      (s) => s.name === 'session.update' || s.name === 'session.commit',
    );
    assert.ok(
      writes.some((s) => Number(s.attributes['baton.session.round_trips']) >= 1),
      `a session write with its round trips: ${session.map((s) => s.name).join(', ')}`,
    );
    assert.ok(
      session.some((s) => s.name === 'session.commit'),
      'session.commit under the cart span',
    );
    for (const span of writes) {
      assert.equal(typeof span.attributes['baton.session.conflicts'], 'number');
      assert.equal(typeof span.attributes['baton.session.retries'], 'number');
    }
  });
});
