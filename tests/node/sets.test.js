import assert from 'node:assert/strict';
import { test } from 'node:test';
import { drain, suite } from './lib/client.js';

const sorted = (items) => [...items].sort();

suite('sets', (ctx) => {
  const r = () => ctx.redis;

  test('SADD, SMEMBERS, SCARD, SISMEMBER, SMISMEMBER and SREM', async () => {
    assert.equal(await r().sadd(ctx.key('s'), 'a', 'b', 'c', 'a'), 3);
    assert.equal(await r().sadd(ctx.key('s'), ['c', 'd']), 1);
    assert.deepEqual(sorted(await r().smembers(ctx.key('s'))), ['a', 'b', 'c', 'd']);
    assert.deepEqual(await r().smembers(ctx.key('missing')), []);
    assert.equal(await r().scard(ctx.key('s')), 4);
    assert.equal(await r().sismember(ctx.key('s'), 'a'), 1);
    assert.equal(await r().sismember(ctx.key('s'), 'z'), 0);
    assert.deepEqual(await r().smismember(ctx.key('s'), 'z', 'a', 'd'), [0, 1, 1]);
    assert.equal(await r().srem(ctx.key('s'), 'a', 'z'), 1);
    assert.equal(await r().scard(ctx.key('s')), 3);
  });

  test('SINTER, SUNION, SDIFF and their STORE forms', async () => {
    await r().sadd(ctx.key('x'), 'a', 'b', 'c', 'd');
    await r().sadd(ctx.key('y'), 'c', 'd', 'e');
    assert.deepEqual(sorted(await r().sinter(ctx.key('x'), ctx.key('y'))), ['c', 'd']);
    assert.deepEqual(await r().sinter(ctx.key('x'), ctx.key('missing')), []);
    assert.deepEqual(sorted(await r().sunion(ctx.key('x'), ctx.key('y'))), ['a', 'b', 'c', 'd', 'e']);
    assert.deepEqual(sorted(await r().sdiff(ctx.key('x'), ctx.key('y'))), ['a', 'b']);
    assert.equal(await r().sunionstore(ctx.key('u'), ctx.key('x'), ctx.key('y'), ctx.key('missing')), 5);
    assert.deepEqual(sorted(await r().smembers(ctx.key('u'))), ['a', 'b', 'c', 'd', 'e']);
    assert.equal(await r().sinterstore(ctx.key('i'), ctx.key('x'), ctx.key('y')), 2);
    assert.deepEqual(sorted(await r().smembers(ctx.key('i'))), ['c', 'd']);
    assert.equal(await r().sdiffstore(ctx.key('u'), ctx.key('y'), ctx.key('x')), 1, 'the destination is replaced');
    assert.deepEqual(await r().smembers(ctx.key('u')), ['e']);
    assert.equal(await r().sintercard(2, ctx.key('x'), ctx.key('y')), 2);
    assert.equal(await r().sintercard(2, ctx.key('x'), ctx.key('y'), 'LIMIT', 1), 1);
    assert.equal(await r().sinterstore(ctx.key('u'), ctx.key('x'), ctx.key('missing')), 0);
    assert.equal(await r().exists(ctx.key('u')), 0, 'an empty result deletes the destination');
  });

  test('SPOP removes what it returns', async () => {
    const members = ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7'];
    await r().sadd(ctx.key('p'), members);
    const one = await r().spop(ctx.key('p'));
    assert.ok(members.includes(one));
    const three = await r().spop(ctx.key('p'), 3);
    assert.equal(three.length, 3);
    assert.equal(new Set([one, ...three]).size, 4, 'SPOP returned a member twice');
    const rest = await r().smembers(ctx.key('p'));
    assert.deepEqual(sorted([one, ...three, ...rest]), members);
    assert.deepEqual(sorted(await r().spop(ctx.key('p'), 100)), sorted(rest));
    assert.equal(await r().exists(ctx.key('p')), 0);
    assert.equal(await r().spop(ctx.key('p')), null);
    assert.deepEqual(await r().spop(ctx.key('p'), 2), []);
  });

  test('SRANDMEMBER keeps the set and honours the sign of the count', async () => {
    const members = ['a', 'b', 'c', 'd', 'e'];
    await r().sadd(ctx.key('r'), members);
    assert.ok(members.includes(await r().srandmember(ctx.key('r'))));
    const distinct = await r().srandmember(ctx.key('r'), 3);
    assert.equal(distinct.length, 3);
    assert.equal(new Set(distinct).size, 3, 'a positive count returns distinct members');
    assert.ok(distinct.every((m) => members.includes(m)));
    assert.deepEqual(sorted(await r().srandmember(ctx.key('r'), 50)), members);
    const repeated = await r().srandmember(ctx.key('r'), -20);
    assert.equal(repeated.length, 20, 'a negative count returns exactly that many');
    assert.ok(repeated.every((m) => members.includes(m)));
    assert.equal(await r().scard(ctx.key('r')), 5);
    assert.equal(await r().srandmember(ctx.key('missing')), null);
    assert.deepEqual(await r().srandmember(ctx.key('missing'), 3), []);
  });

  test('SMOVE moves one member', async () => {
    await r().sadd(ctx.key('from'), 'a', 'b');
    assert.equal(await r().smove(ctx.key('from'), ctx.key('to'), 'a'), 1);
    assert.equal(await r().smove(ctx.key('from'), ctx.key('to'), 'z'), 0);
    assert.deepEqual(await r().smembers(ctx.key('from')), ['b']);
    assert.deepEqual(await r().smembers(ctx.key('to')), ['a']);
  });

  test('sscanStream yields every member once, MATCH filters', async () => {
    const members = [];
    for (let i = 0; i < 400; i++) {
      members.push(`member:${i}`);
    }
    await r().sadd(ctx.key('big'), members);
    const seen = await drain(r().sscanStream(ctx.key('big'), { count: 30 }));
    assert.equal(new Set(seen).size, seen.length, 'SSCAN returned a member twice');
    assert.deepEqual(sorted(seen), sorted(members));
    const matched = await drain(r().sscanStream(ctx.key('big'), { match: 'member:39?' }));
    assert.deepEqual(sorted(matched), ['member:390', 'member:391', 'member:392', 'member:393', 'member:394',
      'member:395', 'member:396', 'member:397', 'member:398', 'member:399']);
  });
});
