import assert from 'node:assert/strict';
import { test } from 'node:test';
import { suite } from './lib/client.js';

suite('pipeline', (ctx) => {
  const r = () => ctx.redis;

  test('150 commands in one pipeline answer in order', async () => {
    const k = ctx.key('counter');
    const pipeline = r().pipeline();
    for (let i = 0; i < 50; i++) {
      pipeline.set(ctx.key(`p:${i}`), `v${i}`);
      pipeline.incr(k);
      pipeline.get(ctx.key(`p:${i}`));
    }
    assert.equal(pipeline.length, 150);
    const results = await pipeline.exec();
    assert.equal(results.length, 150);
    for (let i = 0; i < 50; i++) {
      assert.deepEqual(results[3 * i], [null, 'OK']);
      assert.deepEqual(results[3 * i + 1], [null, i + 1]);
      assert.deepEqual(results[3 * i + 2], [null, `v${i}`]);
    }
  });

  test('an error inside a pipeline fails only its own command', async () => {
    const k = ctx.key('mixed');
    const results = await r().pipeline()
      .set(k, 'text')
      .incr(k)
      .lpush(k, 'x')
      .append(k, '!')
      .get(k)
      .exec();
    assert.equal(results.length, 5);
    assert.deepEqual(results[0], [null, 'OK']);
    assert.ok(results[1][0] instanceof Error);
    assert.equal(results[1][0].name, 'ReplyError');
    assert.equal(results[1][0].message, 'ERR value is not an integer or out of range');
    assert.match(results[2][0].message, /^WRONGTYPE /);
    assert.deepEqual(results[3], [null, 5]);
    assert.deepEqual(results[4], [null, 'text!']);
  });

  test('a pipeline of mixed families and reply types', async () => {
    const results = await r().pipeline()
      .hset(ctx.key('h'), { a: '1' })
      .hgetall(ctx.key('h'))
      .rpush(ctx.key('l'), 'x', 'y')
      .lrange(ctx.key('l'), 0, -1)
      .zadd(ctx.key('z'), 1.5, 'm')
      .zscore(ctx.key('z'), 'm')
      .sadd(ctx.key('s'), 'only')
      .smembers(ctx.key('s'))
      .get(ctx.key('missing'))
      .ping()
      .exec();
    assert.deepEqual(results.map(([err]) => err), Array(10).fill(null));
    assert.deepEqual(results.map(([, value]) => value),
      [1, { a: '1' }, 2, ['x', 'y'], 1, '1.5', 1, ['only'], null, 'PONG']);
  });

  test('large values and long replies arrive whole', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024);
    for (let i = 0; i < big.length; i++) {
      big[i] = (i * 31 + (i >> 10)) & 0xff;
    }
    await r().set(ctx.key('big'), big);
    assert.ok(big.equals(await r().getBuffer(ctx.key('big'))), 'the 3 MiB value changed on the way');
    const items = Array.from({ length: 20000 }, (_, i) => `item-${i}`);
    await r().rpush(ctx.key('long'), items);
    assert.deepEqual(await r().lrange(ctx.key('long'), 0, -1), items);
    const fields = Object.fromEntries(items.slice(0, 5000).map((v, i) => [`f${i}`, v]));
    await r().hset(ctx.key('wide'), fields);
    const results = await r().pipeline()
      .lrange(ctx.key('long'), 0, -1)
      .hgetall(ctx.key('wide'))
      .getBuffer(ctx.key('big'))
      .llen(ctx.key('long'))
      .exec();
    assert.deepEqual(results[0], [null, items]);
    assert.deepEqual(results[1], [null, fields]);
    assert.ok(big.equals(results[2][1]));
    assert.deepEqual(results[3], [null, 20000]);
  });

  test('1000 pipelined writes of 4 KiB each', async () => {
    const value = 'x'.repeat(4096);
    const pipeline = r().pipeline();
    for (let i = 0; i < 1000; i++) {
      pipeline.set(ctx.key(`w:${i}`), `${i}:${value}`);
    }
    const results = await pipeline.exec();
    assert.deepEqual(results, Array.from({ length: 1000 }, () => [null, 'OK']));
    const values = await r().mget(Array.from({ length: 1000 }, (_, i) => ctx.key(`w:${i}`)));
    assert.deepEqual(values, Array.from({ length: 1000 }, (_, i) => `${i}:${value}`));
  });

  test('auto-pipelining sends concurrent commands together', async () => {
    const auto = ctx.connect({ enableAutoPipelining: true });
    try {
      const writes = [];
      for (let i = 0; i < 200; i++) {
        writes.push(auto.set(ctx.key(`auto:${i}`), String(i)));
      }
      assert.deepEqual(await Promise.all(writes), Array(200).fill('OK'));
      const reads = [];
      for (let i = 0; i < 200; i++) {
        reads.push(auto.get(ctx.key(`auto:${i}`)));
      }
      assert.deepEqual(await Promise.all(reads), Array.from({ length: 200 }, (_, i) => String(i)));
    } finally {
      await auto.quit();
    }
  });
});
