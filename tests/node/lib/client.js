// Connections and key names shared by the test files. Every test file runs its suites once per
// RESP version (ioredis speaks RESP3 by default and RESP2 on request), against the server on
// ICEFIRE_PORT.
import { randomBytes } from 'node:crypto';
import { after, before, describe } from 'node:test';
import Redis from 'ioredis';

const rawPort = process.env.ICEFIRE_PORT;
if (!rawPort || !/^\d+$/.test(rawPort)) {
  throw new Error('set ICEFIRE_PORT to the RESP port of the server under test');
}

/** The RESP port of the server under test. */
export const PORT = Number(rawPort);

/** The host of the server under test (ICEFIRE_HOST, loopback by default). */
export const HOST = process.env.ICEFIRE_HOST || '127.0.0.1';

/** The password every connection authenticates with (ICEFIRE_PASSWORD), if the server wants one. */
export const PASSWORD = process.env.ICEFIRE_PASSWORD || undefined;

/** The RESP versions each suite runs under; ICEFIRE_PROTOCOLS="2" narrows it. */
export const PROTOCOLS = (process.env.ICEFIRE_PROTOCOLS || '3,2').split(',').map(Number);
if (PROTOCOLS.some((p) => p !== 2 && p !== 3)) {
  throw new Error(`ICEFIRE_PROTOCOLS lists RESP versions, 2 and/or 3 (got ${process.env.ICEFIRE_PROTOCOLS})`);
}

// Files run in parallel processes against one server: every key carries this run's token and
// the suite's name, so no two suites ever share a key.
const RUN = randomBytes(4).toString('hex');

/** A connection that fails fast instead of reconnecting, so a dead server fails the test. */
export function connect(protocol, options = {}) {
  return new Redis({
    host: HOST,
    port: PORT,
    protocol,
    password: PASSWORD,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 5000,
    commandTimeout: 10000,
    ...options,
  });
}

/**
 * Declares `body` once per RESP version as a describe block. The context it receives holds the
 * open connection (`ctx.redis`, set before the first test), the protocol and `ctx.key(name)`,
 * which names a key private to this suite.
 */
export function suite(title, body) {
  for (const protocol of PROTOCOLS) {
    describe(`${title} (RESP${protocol})`, () => {
      const prefix = `node:${RUN}:${title.replace(/\s+/g, '-')}:${protocol}:`;
      const ctx = {
        protocol,
        redis: null,
        prefix,
        key: (name) => prefix + name,
        connect: (options) => connect(protocol, options),
      };
      before(async () => {
        ctx.redis = connect(protocol);
        await ctx.redis.ping();
      });
      after(async () => {
        await ctx.redis?.quit();
      });
      body(ctx);
    });
  }
}

/** Waits for `predicate` to hold, polling, and fails with `what` after `ms`. */
export async function waitFor(predicate, what, ms = 5000) {
  const deadline = Date.now() + ms;
  while (!(await predicate())) {
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Collects every batch a scan stream emits, flattened. */
export function drain(stream) {
  return new Promise((resolve, reject) => {
    const items = [];
    stream.on('data', (batch) => items.push(...batch));
    stream.on('end', () => resolve(items));
    stream.on('error', reject);
  });
}
