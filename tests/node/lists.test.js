import assert from 'node:assert/strict';
import { test } from 'node:test';
import { suite, waitFor } from './lib/client.js';

suite('lists', (ctx) => {
  const r = () => ctx.redis;

  test('LPUSH and RPUSH, LRANGE and LLEN', async () => {
    assert.equal(await r().rpush(ctx.key('l'), 'c', 'd'), 2);
    assert.equal(await r().lpush(ctx.key('l'), 'b', 'a'), 4);
    assert.deepEqual(await r().lrange(ctx.key('l'), 0, -1), ['a', 'b', 'c', 'd']);
    assert.deepEqual(await r().lrange(ctx.key('l'), 1, 2), ['b', 'c']);
    assert.deepEqual(await r().lrange(ctx.key('l'), -2, 100), ['c', 'd']);
    assert.deepEqual(await r().lrange(ctx.key('l'), 3, 1), []);
    assert.deepEqual(await r().lrange(ctx.key('missing'), 0, -1), []);
    assert.equal(await r().llen(ctx.key('l')), 4);
    assert.equal(await r().lindex(ctx.key('l'), -1), 'd');
    assert.equal(await r().lindex(ctx.key('l'), 10), null);
    assert.equal(await r().lpushx(ctx.key('missing'), 'x'), 0);
  });

  test('LPOP and RPOP with and without a count', async () => {
    await r().rpush(ctx.key('p'), 'a', 'b', 'c', 'd', 'e');
    assert.equal(await r().lpop(ctx.key('p')), 'a');
    assert.deepEqual(await r().lpop(ctx.key('p'), 2), ['b', 'c']);
    assert.deepEqual(await r().rpop(ctx.key('p'), 1), ['e']);
    assert.deepEqual(await r().lpop(ctx.key('p'), 10), ['d']);
    assert.equal(await r().exists(ctx.key('p')), 0, 'popping the last element removes the key');
    assert.equal(await r().lpop(ctx.key('p')), null);
    assert.equal(await r().lpop(ctx.key('p'), 2), null);
  });

  test('LMOVE and RPOPLPUSH between lists and within one', async () => {
    await r().rpush(ctx.key('src'), 'one', 'two', 'three');
    assert.equal(await r().lmove(ctx.key('src'), ctx.key('dst'), 'RIGHT', 'LEFT'), 'three');
    assert.equal(await r().lmove(ctx.key('src'), ctx.key('dst'), 'LEFT', 'RIGHT'), 'one');
    assert.deepEqual(await r().lrange(ctx.key('src'), 0, -1), ['two']);
    assert.deepEqual(await r().lrange(ctx.key('dst'), 0, -1), ['three', 'one']);
    assert.equal(await r().lmove(ctx.key('dst'), ctx.key('dst'), 'LEFT', 'RIGHT'), 'three');
    assert.deepEqual(await r().lrange(ctx.key('dst'), 0, -1), ['one', 'three']);
    assert.equal(await r().rpoplpush(ctx.key('src'), ctx.key('dst')), 'two');
    assert.equal(await r().exists(ctx.key('src')), 0);
    assert.equal(await r().lmove(ctx.key('src'), ctx.key('dst'), 'LEFT', 'LEFT'), null);
  });

  test('LINSERT before and after a pivot', async () => {
    await r().rpush(ctx.key('i'), 'a', 'c', 'e');
    assert.equal(await r().linsert(ctx.key('i'), 'BEFORE', 'c', 'b'), 4);
    assert.equal(await r().linsert(ctx.key('i'), 'AFTER', 'c', 'd'), 5);
    assert.equal(await r().linsert(ctx.key('i'), 'AFTER', 'zzz', 'x'), -1);
    assert.equal(await r().linsert(ctx.key('missing'), 'AFTER', 'a', 'x'), 0);
    assert.deepEqual(await r().lrange(ctx.key('i'), 0, -1), ['a', 'b', 'c', 'd', 'e']);
  });

  test('LPOS with RANK, COUNT and MAXLEN', async () => {
    await r().rpush(ctx.key('pos'), 'a', 'b', 'c', 'b', 'd', 'b');
    assert.equal(await r().lpos(ctx.key('pos'), 'b'), 1);
    assert.equal(await r().lpos(ctx.key('pos'), 'z'), null);
    assert.equal(await r().lpos(ctx.key('pos'), 'b', 'RANK', 2), 3);
    assert.equal(await r().lpos(ctx.key('pos'), 'b', 'RANK', -1), 5);
    assert.deepEqual(await r().lpos(ctx.key('pos'), 'b', 'COUNT', 0), [1, 3, 5]);
    assert.deepEqual(await r().lpos(ctx.key('pos'), 'b', 'COUNT', 2, 'RANK', -1), [5, 3]);
    assert.deepEqual(await r().lpos(ctx.key('pos'), 'b', 'COUNT', 0, 'MAXLEN', 4), [1, 3]);
    assert.deepEqual(await r().lpos(ctx.key('pos'), 'z', 'COUNT', 0), []);
    await assert.rejects(r().lpos(ctx.key('pos'), 'b', 'RANK', 0), /RANK can't be zero/);
  });

  test('LSET, LREM and LTRIM', async () => {
    await r().rpush(ctx.key('e'), 'x', 'y', 'x', 'z', 'x');
    assert.equal(await r().lset(ctx.key('e'), 1, 'Y'), 'OK');
    await assert.rejects(r().lset(ctx.key('e'), 10, 'v'), /^ReplyError: ERR index out of range$/);
    assert.equal(await r().lrem(ctx.key('e'), -2, 'x'), 2);
    assert.deepEqual(await r().lrange(ctx.key('e'), 0, -1), ['x', 'Y', 'z']);
    assert.equal(await r().ltrim(ctx.key('e'), 1, -1), 'OK');
    assert.deepEqual(await r().lrange(ctx.key('e'), 0, -1), ['Y', 'z']);
  });

  test('LMPOP pops from the first non-empty list', async () => {
    await r().rpush(ctx.key('mp2'), 'a', 'b', 'c');
    assert.deepEqual(await r().lmpop(2, ctx.key('mp1'), ctx.key('mp2'), 'RIGHT', 'COUNT', 2), [ctx.key('mp2'), ['c', 'b']]);
    assert.equal(await r().lmpop(1, ctx.key('mp1'), 'LEFT'), null);
  });

  test('BLPOP waits for a push from another connection; a timeout answers null', async () => {
    const k = ctx.key('blocking');
    const waiter = ctx.connect();
    try {
      const pending = waiter.blpop(k, 5);
      // Wait until the server has the client blocked, then push from this connection.
      await waitFor(async () => /blocked_clients:[1-9]/.test(await r().info('clients')), 'the client to block');
      assert.equal(await r().rpush(k, 'woken'), 1);
      assert.deepEqual(await pending, [k, 'woken']);
      assert.equal(await r().exists(k), 0);
      assert.equal(await waiter.brpop(ctx.key('never'), 0.05), null);
    } finally {
      waiter.disconnect();
    }
  });
});
