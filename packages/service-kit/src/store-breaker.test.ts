import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { NextFunction, Request, Response } from 'express';
import { SessionStoreUnavailableError } from '@baton/session';
import { StoreBreaker } from './store-breaker.js';
import { storeBreakerGate, storeBreakerObserver } from './store-breaker-middleware.js';

/** Runs the Express gate once: what it passed to next(), and how long it took. */
async function through(breaker: StoreBreaker): Promise<{ passed: unknown; ms: number }> {
  const started = Date.now();
  const passed = await new Promise<unknown>((resolve) =>
    storeBreakerGate(breaker)(
      {} as Request,
      {} as Response,
      ((err?: unknown) => resolve(err)) as NextFunction,
    ),
  );
  return { passed, ms: Date.now() - started };
}

function trip(
  breaker: StoreBreaker,
  error: unknown = new SessionStoreUnavailableError(new Error('Command timed out')),
): void {
  storeBreakerObserver(breaker)(error, {} as Request, {} as Response, (() => {}) as NextFunction);
}

describe('StoreBreaker', () => {
  it('passes requests while closed, and other errors never trip it', async () => {
    const breaker = new StoreBreaker(async () => 'PONG');
    assert.equal((await through(breaker)).passed, undefined);
    trip(breaker, new Error('a handler bug'));
    assert.equal(breaker.isTripped, false);
  });

  it('the observer hands every error on untouched, and the closed gate calls next at once', () => {
    const breaker = new StoreBreaker(async () => 'PONG');
    const error = new SessionStoreUnavailableError(new Error('Command timed out'));
    let passedOn: unknown;
    storeBreakerObserver(breaker)(
      error,
      {} as Request,
      {} as Response,
      ((err: unknown) => {
        passedOn = err;
      }) as NextFunction,
    );
    assert.equal(passedOn, error);
    const open = new StoreBreaker(async () => 'PONG');
    let called = false;
    storeBreakerGate(open)(
      {} as Request,
      {} as Response,
      (() => {
        called = true;
      }) as NextFunction,
    );
    assert.equal(called, true, 'no tick spent on the healthy path');
  });

  it('while the store hangs: a 503 error within the short probe wait, one probe at a time', async () => {
    let answer: 'hang' | 'ok' = 'hang';
    let probes = 0;
    const breaker = new StoreBreaker(async () => {
      probes++;
      while (answer === 'hang') await sleep(10);
    });
    trip(breaker);
    assert.equal(breaker.isTripped, true);
    const waits = await Promise.all(Array.from({ length: 5 }, () => through(breaker)));
    for (const { passed, ms } of waits) {
      assert.ok(passed instanceof SessionStoreUnavailableError);
      assert.ok(ms < 450, `answered after ${ms} ms, not after the store's timeout`);
    }
    assert.equal(probes, 1, 'one probe at a time');
    // The held probe is answered (the stall healed): the breaker closes, requests pass.
    answer = 'ok';
    await sleep(30);
    assert.equal(breaker.isTripped, false);
    assert.equal((await through(breaker)).passed, undefined);
  });

  it('the first request after the store is back goes through: its probe answers in time', async () => {
    let up = false;
    const breaker = new StoreBreaker(async () => {
      if (!up) throw new Error('Connection is closed');
    });
    trip(breaker);
    assert.ok((await through(breaker)).passed instanceof SessionStoreUnavailableError);
    assert.equal(breaker.isTripped, true, 'a failed probe leaves it open');
    up = true;
    assert.equal((await through(breaker)).passed, undefined);
    assert.equal(breaker.isTripped, false);
  });
});
