// RESP3 with ioredis' "resp3" reply mapping: maps arrive as objects, doubles as numbers and
// nested arrays stay nested, so these tests see the reply types the server chose, which the
// legacy mapping of the other files flattens away.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { connect, waitFor } from './lib/client.js';

describe('RESP3 reply types', () => {
  let r;
  const prefix = `node:resp3:${process.pid}:${Date.now()}:`;
  const key = (name) => prefix + name;

  before(async () => {
    r = connect(3, { replyMapping: 'resp3' });
    await r.ping();
  });

  after(async () => {
    await r.quit();
  });

  test('HELLO 3 answers with a map', async () => {
    const hello = await r.hello(3);
    assert.equal(hello.server, 'redis');
    assert.equal(hello.proto, 3);
    assert.equal(hello.mode, 'standalone');
    assert.equal(typeof hello.id, 'number');
    assert.ok(Array.isArray(hello.modules));
  });

  test('HGETALL and CONFIG GET are maps', async () => {
    await r.hset(key('h'), { a: '1', b: '2' });
    assert.deepEqual(await r.hgetall(key('h')), { a: '1', b: '2' });
    assert.deepEqual(await r.hgetall(key('missing')), {});
    assert.deepEqual(await r.config('GET', 'maxmemory'), { maxmemory: '0' });
  });

  test('scores are doubles, with inf as Infinity', async () => {
    const z = key('z');
    await r.zadd(z, 1.5, 'a', '+inf', 'top', '-inf', 'bottom');
    assert.equal(await r.zscore(z, 'a'), 1.5);
    assert.equal(await r.zscore(z, 'top'), Infinity);
    assert.equal(await r.zscore(z, 'bottom'), -Infinity);
    assert.equal(await r.zscore(z, 'missing'), null);
    assert.deepEqual(await r.zmscore(z, 'a', 'missing'), [1.5, null]);
    assert.equal(await r.zincrby(z, 1, 'a'), 2.5);
    assert.equal(await r.zadd(z, 'INCR', 0.5, 'a'), 3);
    assert.deepEqual(await r.zrange(z, 0, -1, 'WITHSCORES'), [['bottom', -Infinity], ['a', 3], ['top', Infinity]]);
    assert.deepEqual(await r.zpopmin(z), ['bottom', -Infinity]);
    assert.deepEqual(await r.zpopmax(z, 2), [['top', Infinity], ['a', 3]]);
  });

  test('INCRBYFLOAT stays a bulk string; counts stay integers', async () => {
    assert.equal(await r.incrbyfloat(key('f'), '1.5'), '1.5');
    assert.equal(await r.hincrbyfloat(key('hf'), 'x', '2.25'), '2.25');
    assert.equal(await r.incr(key('i')), 1);
    assert.deepEqual(await r.smismember(key('s'), 'a'), [0]);
  });

  test('SMEMBERS of a set and HRANDFIELD WITHVALUES pairs', async () => {
    await r.sadd(key('s'), 'x', 'y');
    assert.deepEqual((await r.smembers(key('s'))).sort(), ['x', 'y']);
    await r.hset(key('r'), { only: 'one' });
    assert.deepEqual(await r.hrandfield(key('r'), 1, 'WITHVALUES'), [['only', 'one']]);
  });

  test('a subscribed RESP3 connection still runs ordinary commands', async () => {
    const sub = connect(3, { replyMapping: 'resp3' });
    const got = [];
    sub.on('message', (channel, message) => got.push([channel, message]));
    try {
      assert.equal(await sub.subscribe(key('c')), 1);
      assert.equal(await sub.set(key('while-subscribed'), 'v'), 'OK');
      assert.equal(await sub.get(key('while-subscribed')), 'v');
      assert.equal(await r.publish(key('c'), 'hi'), 1);
      await waitFor(() => got.length === 1, 'the message');
      assert.deepEqual(got, [[key('c'), 'hi']]);
      assert.equal(await sub.ping(), 'PONG');
    } finally {
      sub.disconnect();
    }
  });
});
