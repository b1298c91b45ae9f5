import assert from 'node:assert/strict';
import { test } from 'node:test';
import { suite } from './lib/client.js';

suite('sorted sets', (ctx) => {
  const r = () => ctx.redis;

  async function board() {
    const key = ctx.key(`board:${Math.random().toString(36).slice(2)}`);
    await r().zadd(key, 1, 'one', 2, 'two', 3, 'three', 4, 'four', 5, 'five');
    return key;
  }

  test('ZADD with NX, XX, GT, LT, CH and INCR', async () => {
    const z = ctx.key('z');
    assert.equal(await r().zadd(z, 1, 'a', 2, 'b'), 2);
    assert.equal(await r().zadd(z, 'NX', 10, 'a', 3, 'c'), 1);
    assert.equal(await r().zscore(z, 'a'), '1');
    assert.equal(await r().zadd(z, 'XX', 'CH', 20, 'b', 4, 'd'), 1);
    assert.equal(await r().zscore(z, 'd'), null);
    assert.equal(await r().zadd(z, 'GT', 'CH', 5, 'b', 25, 'c'), 1);
    assert.deepEqual(await r().zmscore(z, 'b', 'c'), ['20', '25']);
    assert.equal(await r().zadd(z, 'LT', 'CH', 0.5, 'a', 30, 'c'), 1);
    assert.equal(await r().zadd(z, 'INCR', 2.5, 'a'), '3');
    assert.equal(await r().zadd(z, 'NX', 'INCR', 1, 'a'), null);
    await assert.rejects(r().zadd(z, 'NX', 'XX', 1, 'a'), /^ReplyError: ERR XX and NX options at the same time are not compatible$/);
    await assert.rejects(r().zadd(z, 'nope', 'a'), /^ReplyError: ERR value is not a valid float$/);
    assert.equal(await r().zcard(z), 3);
  });

  test('ZRANGE by rank, BYSCORE, REV, LIMIT and WITHSCORES', async () => {
    const z = await board();
    assert.deepEqual(await r().zrange(z, 0, -1), ['one', 'two', 'three', 'four', 'five']);
    assert.deepEqual(await r().zrange(z, 0, 1, 'WITHSCORES'), ['one', '1', 'two', '2']);
    assert.deepEqual(await r().zrange(z, 0, 1, 'REV'), ['five', 'four']);
    assert.deepEqual(await r().zrange(z, 2, 4, 'BYSCORE'), ['two', 'three', 'four']);
    assert.deepEqual(await r().zrange(z, '(2', '+inf', 'BYSCORE', 'LIMIT', 1, 2), ['four', 'five']);
    assert.deepEqual(await r().zrange(z, '+inf', '-inf', 'BYSCORE', 'REV', 'LIMIT', 0, 2, 'WITHSCORES'),
      ['five', '5', 'four', '4']);
    assert.deepEqual(await r().zrange(z, 10, 20, 'BYSCORE'), []);
    assert.deepEqual(await r().zrangebyscore(z, '-inf', 2, 'WITHSCORES'), ['one', '1', 'two', '2']);
    assert.deepEqual(await r().zrevrange(z, 0, 0, 'WITHSCORES'), ['five', '5']);
    assert.deepEqual(await r().zrevrangebyscore(z, 5, '(3'), ['five', 'four']);
    await assert.rejects(r().zrange(z, 0, 1, 'LIMIT', 0, 1), /syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX/);
  });

  test('ZRANGE BYLEX and ZLEXCOUNT', async () => {
    const z = ctx.key('lex');
    await r().zadd(z, 0, 'apple', 0, 'banana', 0, 'cherry', 0, 'date');
    assert.deepEqual(await r().zrange(z, '[b', '(d', 'BYLEX'), ['banana', 'cherry']);
    assert.deepEqual(await r().zrange(z, '+', '-', 'BYLEX', 'REV', 'LIMIT', 0, 2), ['date', 'cherry']);
    assert.deepEqual(await r().zrangebylex(z, '-', '[banana'), ['apple', 'banana']);
    assert.equal(await r().zlexcount(z, '(apple', '+'), 3);
  });

  test('ZINCRBY, ZRANK, ZREVRANK, ZCOUNT and ZREM', async () => {
    const z = await board();
    assert.equal(await r().zincrby(z, 10, 'one'), '11');
    assert.equal(await r().zincrby(z, -0.5, 'new'), '-0.5');
    assert.equal(await r().zrank(z, 'one'), 5);
    assert.equal(await r().zrank(z, 'new'), 0);
    assert.equal(await r().zrevrank(z, 'one'), 0);
    assert.equal(await r().zrank(z, 'missing'), null);
    assert.equal(await r().zcount(z, '(2', 5), 3);
    assert.equal(await r().zrem(z, 'new', 'missing'), 1);
  });

  test('ZPOPMIN and ZPOPMAX with and without a count', async () => {
    const z = await board();
    assert.deepEqual(await r().zpopmin(z), ['one', '1']);
    assert.deepEqual(await r().zpopmin(z, 2), ['two', '2', 'three', '3']);
    assert.deepEqual(await r().zpopmax(z), ['five', '5']);
    assert.deepEqual(await r().zpopmax(z, 10), ['four', '4']);
    assert.equal(await r().exists(z), 0);
    assert.deepEqual(await r().zpopmin(z), []);
  });

  test('ZRANGESTORE stores a range and replaces the destination', async () => {
    const z = await board();
    const dst = ctx.key('stored');
    await r().set(dst, 'not a zset');
    assert.equal(await r().zrangestore(dst, z, 1, 3), 3);
    assert.deepEqual(await r().zrange(dst, 0, -1, 'WITHSCORES'), ['two', '2', 'three', '3', 'four', '4']);
    assert.equal(await r().zrangestore(dst, z, '(4', '+inf', 'BYSCORE'), 1);
    assert.deepEqual(await r().zrange(dst, 0, -1), ['five']);
    assert.equal(await r().zrangestore(dst, z, 10, 20, 'BYSCORE'), 0);
    assert.equal(await r().exists(dst), 0);
  });

  test('scores of inf, -inf, exact fractions and integers read back as Redis prints them', async () => {
    const z = ctx.key('inf');
    await r().zadd(z, '+inf', 'top', '-inf', 'bottom', 0.25, 'quarter', '1e3', 'thousand', -0, 'zero');
    assert.equal(await r().zscore(z, 'top'), 'inf');
    assert.equal(await r().zscore(z, 'bottom'), '-inf');
    assert.equal(await r().zscore(z, 'quarter'), '0.25');
    assert.equal(await r().zscore(z, 'thousand'), '1000');
    assert.equal(await r().zscore(z, 'zero'), '0');
    assert.equal(await r().zscore(z, 'missing'), null);
    assert.deepEqual(await r().zrange(z, 0, -1, 'WITHSCORES'),
      ['bottom', '-inf', 'zero', '0', 'quarter', '0.25', 'thousand', '1000', 'top', 'inf']);
    await assert.rejects(r().zincrby(z, '-inf', 'top'), /^ReplyError: ERR resulting score is not a number \(NaN\)$/);
  });

  test('ZREMRANGEBYRANK, ZREMRANGEBYSCORE and ZREMRANGEBYLEX', async () => {
    const z = await board();
    assert.equal(await r().zremrangebyrank(z, 0, 1), 2);
    assert.equal(await r().zremrangebyscore(z, '(3', 4), 1);
    assert.deepEqual(await r().zrange(z, 0, -1), ['three', 'five']);
    const lex = ctx.key('remlex');
    await r().zadd(lex, 0, 'a', 0, 'b', 0, 'c');
    assert.equal(await r().zremrangebylex(lex, '[a', '(c'), 2);
    assert.deepEqual(await r().zrange(lex, 0, -1), ['c']);
  });

  test('ZUNIONSTORE, ZINTER with WEIGHTS, ZDIFF, ZINTERCARD, ZMPOP and ZRANDMEMBER', async () => {
    const a = ctx.key('alg-a');
    const b = ctx.key('alg-b');
    const u = ctx.key('alg-u');
    await r().zadd(a, 1, 'x', 2, 'y');
    await r().zadd(b, 10, 'y', 20, 'z');
    assert.equal(await r().zunionstore(u, 2, a, b, 'AGGREGATE', 'MAX'), 3);
    assert.deepEqual(await r().zrange(u, 0, -1, 'WITHSCORES'), ['x', '1', 'y', '10', 'z', '20']);
    // Raw replies: RESP3 pairs each member with its score, RESP2 is flat.
    assert.deepEqual(await r().call('ZINTER', 2, a, b, 'WEIGHTS', 2, 3, 'WITHSCORES'),
      ctx.protocol === 3 ? [['y', '34']] : ['y', '34']);
    assert.deepEqual(await r().call('ZDIFF', 2, a, b), ['x']);
    assert.equal(await r().call('ZINTERCARD', 2, a, b), 1);
    assert.deepEqual(await r().call('ZMPOP', 1, u, 'MAX', 'COUNT', 2), [u, [['z', '20'], ['y', '10']]]);
    const picks = await r().call('ZRANDMEMBER', a, -5);
    assert.equal(picks.length, 5);
    assert.ok(picks.every((m) => m === 'x' || m === 'y'));
  });
});
