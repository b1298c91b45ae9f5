import assert from 'node:assert/strict';
import { test } from 'node:test';
import { drain, suite } from './lib/client.js';

suite('hashes', (ctx) => {
  const r = () => ctx.redis;

  test('HSET with an object, HGETALL as an object', async () => {
    assert.equal(await r().hset(ctx.key('h'), { name: 'ada', born: '1815', city: 'London' }), 3);
    assert.equal(await r().hset(ctx.key('h'), 'city', 'Marylebone', 'field', 'new'), 1);
    assert.deepEqual(await r().hgetall(ctx.key('h')), { name: 'ada', born: '1815', city: 'Marylebone', field: 'new' });
    assert.deepEqual(await r().hgetall(ctx.key('missing')), {});
    assert.equal(await r().hset(ctx.key('m'), new Map([['a', '1'], ['b', '2']])), 2);
    assert.deepEqual(await r().hgetall(ctx.key('m')), { a: '1', b: '2' });
  });

  test('HGET, HMGET, HKEYS, HVALS, HLEN, HEXISTS, HSTRLEN and HDEL', async () => {
    const h = ctx.key('fields');
    await r().hset(h, { a: '1', b: 'two', c: '3' });
    assert.equal(await r().hget(h, 'b'), 'two');
    assert.equal(await r().hget(h, 'z'), null);
    assert.deepEqual(await r().hmget(h, 'c', 'z', 'a'), ['3', null, '1']);
    assert.deepEqual((await r().hkeys(h)).sort(), ['a', 'b', 'c']);
    assert.deepEqual((await r().hvals(h)).sort(), ['1', '3', 'two']);
    assert.equal(await r().hlen(h), 3);
    assert.equal(await r().hexists(h, 'a'), 1);
    assert.equal(await r().hexists(h, 'z'), 0);
    assert.equal(await r().hstrlen(h, 'b'), 3);
    assert.equal(await r().hsetnx(h, 'a', 'x'), 0);
    assert.equal(await r().hdel(h, 'a', 'b', 'z'), 2);
    assert.equal(await r().hdel(h, 'c'), 1);
    assert.equal(await r().exists(h), 0, 'the last HDEL removes the key');
  });

  test('HINCRBY and HINCRBYFLOAT', async () => {
    assert.equal(await r().hincrby(ctx.key('n'), 'i', 5), 5);
    assert.equal(await r().hincrby(ctx.key('n'), 'i', -8), -3);
    assert.equal(await r().hincrbyfloat(ctx.key('n'), 'f', '10.5'), '10.5');
    assert.equal(await r().hincrbyfloat(ctx.key('n'), 'f', '0.1'), '10.6');
    assert.equal(await r().hincrbyfloat(ctx.key('n'), 'f', '-5.6'), '5');
    assert.equal(await r().hincrbyfloat(ctx.key('n'), 'e', '5.0e3'), '5000');
    await r().hset(ctx.key('n'), 's', 'abc');
    await assert.rejects(r().hincrbyfloat(ctx.key('n'), 's', '1'), /^ReplyError: ERR hash value is not a float$/);
    await assert.rejects(r().hincrby(ctx.key('n'), 's', 1), /^ReplyError: ERR hash value is not an integer$/);
  });

  test('hscanStream yields every field and value once', async () => {
    const fields = {};
    for (let i = 0; i < 300; i++) {
      fields[`f${i}`] = `v${i}`;
    }
    await r().hset(ctx.key('big'), fields);
    const flat = await drain(r().hscanStream(ctx.key('big'), { count: 25 }));
    assert.equal(flat.length % 2, 0);
    const seen = {};
    for (let i = 0; i < flat.length; i += 2) {
      assert.equal(seen[flat[i]], undefined, `field ${flat[i]} came twice`);
      seen[flat[i]] = flat[i + 1];
    }
    assert.deepEqual(seen, fields);
    const matched = await drain(r().hscanStream(ctx.key('big'), { match: 'f1?', count: 1000 }));
    const names = matched.filter((_, i) => i % 2 === 0).sort();
    assert.deepEqual(names, ['f10', 'f11', 'f12', 'f13', 'f14', 'f15', 'f16', 'f17', 'f18', 'f19']);
  });

  test('HRANDFIELD picks existing fields', async () => {
    await r().hset(ctx.key('r'), { a: '1', b: '2', c: '3' });
    assert.ok(['a', 'b', 'c'].includes(await r().hrandfield(ctx.key('r'))));
    const three = await r().hrandfield(ctx.key('r'), 5);
    assert.deepEqual([...three].sort(), ['a', 'b', 'c']);
    const repeated = await r().hrandfield(ctx.key('r'), -7);
    assert.equal(repeated.length, 7);
    // RESP3 nests each field with its value; RESP2 sends them flat.
    const pairs = (await r().hrandfield(ctx.key('r'), 2, 'WITHVALUES')).flat();
    assert.equal(pairs.length, 4);
    for (let i = 0; i < pairs.length; i += 2) {
      assert.equal(pairs[i + 1], { a: '1', b: '2', c: '3' }[pairs[i]]);
    }
  });
});
