import assert from 'node:assert/strict';
import { test } from 'node:test';
import { drain, suite } from './lib/client.js';

suite('keys', (ctx) => {
  const r = () => ctx.redis;

  test('EXPIRE, TTL, PTTL and PERSIST', async () => {
    await r().set(ctx.key('k'), 'v');
    assert.equal(await r().ttl(ctx.key('k')), -1);
    assert.equal(await r().ttl(ctx.key('missing')), -2);
    assert.equal(await r().expire(ctx.key('k'), 100), 1);
    assert.equal(await r().expire(ctx.key('missing'), 100), 0);
    const ttl = await r().ttl(ctx.key('k'));
    assert.ok(ttl > 95 && ttl <= 100, `ttl ${ttl}`);
    const pttl = await r().pttl(ctx.key('k'));
    assert.ok(pttl > 95000 && pttl <= 100000, `pttl ${pttl}`);
    assert.equal(await r().expire(ctx.key('k'), 200, 'NX'), 0);
    assert.equal(await r().expire(ctx.key('k'), 200, 'GT'), 1);
    assert.equal(await r().persist(ctx.key('k')), 1);
    assert.equal(await r().persist(ctx.key('k')), 0);
    assert.equal(await r().ttl(ctx.key('k')), -1);
    const at = Math.floor(Date.now() / 1000) + 1000;
    assert.equal(await r().expireat(ctx.key('k'), at), 1);
    assert.equal(await r().expiretime(ctx.key('k')), at);
  });

  test('a key whose time is up is gone', async () => {
    await r().set(ctx.key('short'), 'v', 'PX', 20);
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.equal(await r().get(ctx.key('short')), null);
    assert.equal(await r().exists(ctx.key('short')), 0);
    assert.equal(await r().ttl(ctx.key('short')), -2);
  });

  test('TYPE names every kind of value', async () => {
    await r().set(ctx.key('string'), 'v');
    await r().rpush(ctx.key('list'), 'a');
    await r().sadd(ctx.key('set'), 'a');
    await r().zadd(ctx.key('zset'), 1, 'a');
    await r().hset(ctx.key('hash'), 'f', 'v');
    for (const kind of ['string', 'list', 'set', 'zset', 'hash']) {
      assert.equal(await r().type(ctx.key(kind)), kind);
    }
    assert.equal(await r().type(ctx.key('missing')), 'none');
  });

  test('RENAME and RENAMENX carry the value and its time to live', async () => {
    await r().set(ctx.key('from'), 'v', 'EX', 100);
    assert.equal(await r().rename(ctx.key('from'), ctx.key('to')), 'OK');
    assert.equal(await r().exists(ctx.key('from')), 0);
    assert.equal(await r().get(ctx.key('to')), 'v');
    assert.ok((await r().ttl(ctx.key('to'))) > 90);
    await assert.rejects(r().rename(ctx.key('from'), ctx.key('to')), /^ReplyError: ERR no such key$/);
    await r().set(ctx.key('other'), 'o');
    assert.equal(await r().renamenx(ctx.key('to'), ctx.key('other')), 0);
    assert.equal(await r().renamenx(ctx.key('to'), ctx.key('fresh')), 1);
    assert.equal(await r().get(ctx.key('fresh')), 'v');
  });

  test('DEL, EXISTS and COPY count keys as Redis does', async () => {
    await r().mset(ctx.key('d1'), '1', ctx.key('d2'), '2');
    assert.equal(await r().exists(ctx.key('d1'), ctx.key('d1'), ctx.key('d2'), ctx.key('nope')), 3);
    assert.equal(await r().copy(ctx.key('d1'), ctx.key('d3')), 1);
    assert.equal(await r().copy(ctx.key('d1'), ctx.key('d3')), 0);
    assert.equal(await r().copy(ctx.key('d2'), ctx.key('d3'), 'REPLACE'), 1);
    assert.equal(await r().get(ctx.key('d3')), '2');
    assert.equal(await r().del(ctx.key('d1'), ctx.key('d2'), ctx.key('d3'), ctx.key('nope')), 3);
  });

  test('scanStream visits every matching key exactly once', async () => {
    const pipeline = r().pipeline();
    for (let i = 0; i < 250; i++) {
      pipeline.set(ctx.key(`scan:${i}`), String(i));
    }
    pipeline.hset(ctx.key('scan:hash'), 'f', 'v');
    await pipeline.exec();
    const keys = await drain(r().scanStream({ match: ctx.key('scan:*'), count: 20 }));
    assert.equal(new Set(keys).size, keys.length, 'SCAN returned a key twice');
    assert.equal(keys.length, 251);
    for (let i = 0; i < 250; i++) {
      assert.ok(keys.includes(ctx.key(`scan:${i}`)));
    }
    const hashes = await drain(r().scanStream({ match: ctx.key('scan:*'), type: 'hash', count: 50 }));
    assert.deepEqual(hashes, [ctx.key('scan:hash')]);
  });

  test('KEYS with a pattern', async () => {
    await r().mset(ctx.key('pat:a1'), '1', ctx.key('pat:b2'), '2', ctx.key('pat:a3'), '3');
    const keys = await r().keys(ctx.key('pat:a*'));
    assert.deepEqual(keys.sort(), [ctx.key('pat:a1'), ctx.key('pat:a3')]);
  });
});
