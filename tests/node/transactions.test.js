import assert from 'node:assert/strict';
import { test } from 'node:test';
import { suite } from './lib/client.js';

suite('transactions', (ctx) => {
  const r = () => ctx.redis;

  test('multi().set().incr().exec() gives one [error, result] pair per command', async () => {
    const results = await r().multi()
      .set(ctx.key('a'), '10')
      .incr(ctx.key('a'))
      .get(ctx.key('a'))
      .exec();
    assert.deepEqual(results, [[null, 'OK'], [null, 11], [null, '11']]);
  });

  test('replies inside EXEC keep their types', async () => {
    const results = await r().multi()
      .hset(ctx.key('h'), { f: 'v' })
      .hgetall(ctx.key('h'))
      .zadd(ctx.key('z'), 2, 'm')
      .zrange(ctx.key('z'), 0, -1, 'WITHSCORES')
      .get(ctx.key('missing'))
      .exec();
    assert.deepEqual(results, [[null, 1], [null, { f: 'v' }], [null, 1], [null, ['m', '2']], [null, null]]);
  });

  test('a command that fails while EXEC runs fails alone; the others take effect', async () => {
    const k = ctx.key('runtime');
    await r().set(k, 'text');
    const results = await r().multi()
      .incr(k)
      .append(k, '!')
      .exec();
    assert.equal(results.length, 2);
    assert.equal(results[0][0].message, 'ERR value is not an integer or out of range');
    assert.deepEqual(results[1], [null, 5]);
    assert.equal(await r().get(k), 'text!');
  });

  test('a syntax error while queueing aborts EXEC with EXECABORT', async () => {
    const k = ctx.key('aborted');
    const transaction = r().multi()
      .set(k, 'never')
      .call('SET', k)
      .incr(ctx.key('never-incremented'));
    await assert.rejects(transaction.exec(), (err) => {
      assert.equal(err.name, 'ReplyError');
      assert.equal(err.message, 'EXECABORT Transaction discarded because of previous errors.');
      assert.ok(Array.isArray(err.previousErrors));
      assert.equal(err.previousErrors.length, 1);
      assert.equal(err.previousErrors[0].message, "ERR wrong number of arguments for 'set' command");
      return true;
    });
    assert.equal(await r().exists(k, ctx.key('never-incremented')), 0);
    // The connection is out of the transaction again.
    assert.equal(await r().ping(), 'PONG');
  });

  test('MULTI without a pipeline queues each command and EXEC returns the plain replies', async () => {
    const k = ctx.key('plain');
    const conn = ctx.connect();
    try {
      assert.equal(await conn.multi({ pipeline: false }), 'OK');
      assert.equal(await conn.set(k, '1'), 'QUEUED');
      assert.equal(await conn.incrby(k, 5), 'QUEUED');
      assert.deepEqual(await conn.exec(), [[null, 'OK'], [null, 6]]);
      assert.equal(await conn.multi({ pipeline: false }), 'OK');
      assert.equal(await conn.incr(k), 'QUEUED');
      assert.equal(await conn.discard(), 'OK');
      assert.equal(await conn.get(k), '6');
      await assert.rejects(conn.exec(), /^ReplyError: ERR EXEC without MULTI$/);
    } finally {
      await conn.quit();
    }
  });

  test('a transaction inside a pipeline', async () => {
    const k = ctx.key('nested');
    const results = await r().pipeline()
      .set(k, '1')
      .multi()
      .incr(k)
      .incr(k)
      .exec()
      .get(k)
      .exec();
    assert.deepEqual(results, [[null, 'OK'], [null, 'OK'], [null, 'QUEUED'], [null, 'QUEUED'], [null, [2, 3]], [null, '3']]);
  });
});
