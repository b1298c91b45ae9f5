import assert from 'node:assert/strict';
import { test } from 'node:test';
import { suite } from './lib/client.js';

suite('strings', (ctx) => {
  const r = () => ctx.redis;

  test('SET and GET, and GET of a missing key is null', async () => {
    assert.equal(await r().set(ctx.key('s'), 'value'), 'OK');
    assert.equal(await r().get(ctx.key('s')), 'value');
    assert.equal(await r().get(ctx.key('missing')), null);
  });

  test('SET EX and PX set a time to live', async () => {
    assert.equal(await r().set(ctx.key('ex'), 'v', 'EX', 100), 'OK');
    const ttl = await r().ttl(ctx.key('ex'));
    assert.ok(ttl > 95 && ttl <= 100, `ttl ${ttl}`);
    assert.equal(await r().set(ctx.key('px'), 'v', 'PX', 50000), 'OK');
    const pttl = await r().pttl(ctx.key('px'));
    assert.ok(pttl > 45000 && pttl <= 50000, `pttl ${pttl}`);
    await assert.rejects(r().set(ctx.key('bad'), 'v', 'EX', 0), /invalid expire time in 'set' command/);
  });

  test('SET NX and XX, and SET GET', async () => {
    assert.equal(await r().set(ctx.key('nx'), 'first', 'NX'), 'OK');
    assert.equal(await r().set(ctx.key('nx'), 'second', 'NX'), null);
    assert.equal(await r().get(ctx.key('nx')), 'first');
    assert.equal(await r().set(ctx.key('xx'), 'v', 'XX'), null);
    assert.equal(await r().exists(ctx.key('xx')), 0);
    assert.equal(await r().set(ctx.key('nx'), 'third', 'XX', 'GET'), 'first');
    assert.equal(await r().get(ctx.key('nx')), 'third');
    assert.equal(await r().setnx(ctx.key('nx'), 'fourth'), 0);
    await assert.rejects(r().set(ctx.key('nx'), 'v', 'NX', 'XX'), /^ReplyError: ERR syntax error$/);
  });

  test('INCR, INCRBY, DECRBY and INCRBYFLOAT', async () => {
    assert.equal(await r().incr(ctx.key('n')), 1);
    assert.equal(await r().incrby(ctx.key('n'), 41), 42);
    assert.equal(await r().decrby(ctx.key('n'), 2), 40);
    assert.equal(await r().decr(ctx.key('n')), 39);
    assert.equal(await r().incrbyfloat(ctx.key('n'), '0.5'), '39.5');
    assert.equal(await r().incrbyfloat(ctx.key('f'), '1e3'), '1000');
    await r().set(ctx.key('text'), 'abc');
    await assert.rejects(r().incr(ctx.key('text')), /^ReplyError: ERR value is not an integer or out of range$/);
    await r().set(ctx.key('max'), '9223372036854775807');
    await assert.rejects(r().incr(ctx.key('max')), /^ReplyError: ERR increment or decrement would overflow$/);
  });

  test('MSET and MGET keep argument order, with null for missing keys', async () => {
    assert.equal(await r().mset(ctx.key('m1'), 'a', ctx.key('m2'), 'b'), 'OK');
    assert.equal(await r().mset({ [ctx.key('m3')]: 'c', [ctx.key('m4')]: 'd' }), 'OK');
    assert.deepEqual(
      await r().mget(ctx.key('m4'), ctx.key('none'), ctx.key('m1'), ctx.key('m3'), ctx.key('m2')),
      ['d', null, 'a', 'c', 'b'],
    );
    assert.deepEqual(await r().mget([ctx.key('m1'), ctx.key('m2')]), ['a', 'b']);
    assert.equal(await r().msetnx(ctx.key('m1'), 'x', ctx.key('m5'), 'y'), 0);
    assert.equal(await r().exists(ctx.key('m5')), 0);
  });

  test('APPEND, STRLEN, GETRANGE and SETRANGE', async () => {
    assert.equal(await r().append(ctx.key('a'), 'Hello'), 5);
    assert.equal(await r().append(ctx.key('a'), ', World'), 12);
    assert.equal(await r().get(ctx.key('a')), 'Hello, World');
    assert.equal(await r().strlen(ctx.key('a')), 12);
    assert.equal(await r().getrange(ctx.key('a'), 0, 4), 'Hello');
    assert.equal(await r().getrange(ctx.key('a'), -5, -1), 'World');
    assert.equal(await r().getrange(ctx.key('a'), 7, 100), 'World');
    assert.equal(await r().getrange(ctx.key('a'), 5, 2), '');
    assert.equal(await r().getrange(ctx.key('missing'), 0, -1), '');
    assert.equal(await r().setrange(ctx.key('a'), 7, 'Redis'), 12);
    assert.equal(await r().get(ctx.key('a')), 'Hello, Redis');
    assert.equal(await r().setrange(ctx.key('pad'), 3, 'x'), 4);
    assert.deepEqual(await r().getBuffer(ctx.key('pad')), Buffer.from([0, 0, 0, 0x78]));
  });

  test('GETSET, GETDEL and GETEX', async () => {
    await r().set(ctx.key('g'), 'old');
    assert.equal(await r().getset(ctx.key('g'), 'new'), 'old');
    assert.equal(await r().getex(ctx.key('g'), 'EX', 100), 'new');
    assert.ok((await r().ttl(ctx.key('g'))) > 90);
    assert.equal(await r().getex(ctx.key('g'), 'PERSIST'), 'new');
    assert.equal(await r().ttl(ctx.key('g')), -1);
    assert.equal(await r().getdel(ctx.key('g')), 'new');
    assert.equal(await r().getdel(ctx.key('g')), null);
  });
});
