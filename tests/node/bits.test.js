import assert from 'node:assert/strict';
import { test } from 'node:test';
import { suite } from './lib/client.js';

suite('bits', (ctx) => {
  const r = () => ctx.redis;

  test('SETBIT and GETBIT, with the string growing as needed', async () => {
    const k = ctx.key('b');
    assert.equal(await r().setbit(k, 7, 1), 0);
    assert.equal(await r().setbit(k, 7, 1), 1);
    assert.equal(await r().getbit(k, 7), 1);
    assert.equal(await r().getbit(k, 6), 0);
    assert.equal(await r().getbit(k, 10000), 0);
    assert.equal(await r().setbit(k, 17, 1), 0);
    assert.deepEqual(await r().getBuffer(k), Buffer.from([0x01, 0x00, 0x40]));
    await assert.rejects(r().setbit(k, 1, 2), /^ReplyError: ERR bit is not an integer or out of range$/);
  });

  test('BITCOUNT over the whole string, a byte range and a bit range', async () => {
    const k = ctx.key('count');
    await r().set(k, 'foobar');
    assert.equal(await r().bitcount(k), 26);
    assert.equal(await r().bitcount(k, 0, 0), 4);
    assert.equal(await r().bitcount(k, 1, 1), 6);
    assert.equal(await r().bitcount(k, -2, -1), 7);
    assert.equal(await r().bitcount(k, 5, 30, 'BIT'), 17);
    assert.equal(await r().bitcount(ctx.key('missing')), 0);
  });

  test('BITPOS finds the first set or clear bit', async () => {
    const k = ctx.key('pos');
    await r().set(k, Buffer.from([0xff, 0xf0, 0x00]));
    assert.equal(await r().bitpos(k, 0), 12);
    assert.equal(await r().bitpos(k, 1, 2), -1);
    assert.equal(await r().bitpos(k, 0, 2), 16);
    assert.equal(await r().bitpos(k, 1, 7, 15, 'BIT'), 7);
    await r().set(ctx.key('ones'), Buffer.from([0xff, 0xff]));
    assert.equal(await r().bitpos(ctx.key('ones'), 0), 16, 'with no end given, the clear bit past the string counts');
    assert.equal(await r().bitpos(ctx.key('ones'), 0, 0, -1), -1);
    assert.equal(await r().bitpos(ctx.key('missing'), 0), 0);
    assert.equal(await r().bitpos(ctx.key('missing'), 1), -1);
  });

  test('BITFIELD GET, SET, INCRBY and OVERFLOW', async () => {
    const k = ctx.key('field');
    assert.deepEqual(await r().bitfield(k, 'SET', 'u8', 0, 200, 'GET', 'u8', 0, 'GET', 'i8', 0), [0, 200, -56]);
    assert.deepEqual(await r().bitfield(k, 'INCRBY', 'u8', 0, 100), [44]);
    assert.deepEqual(await r().bitfield(k, 'OVERFLOW', 'SAT', 'INCRBY', 'u8', 0, 250), [255]);
    assert.deepEqual(await r().bitfield(k, 'OVERFLOW', 'FAIL', 'INCRBY', 'u8', 0, 1), [null]);
    assert.deepEqual(await r().bitfield(k, 'SET', 'i16', '#1', -300, 'GET', 'i16', '#1'), [0, -300]);
    assert.deepEqual(await r().bitfield(k, 'INCRBY', 'u4', 4, 1, 'GET', 'u4', 0), [0, 15]);
    assert.deepEqual(await r().bitfield_ro(k, 'GET', 'u8', 0), [240]);
    await assert.rejects(r().bitfield(k, 'GET', 'u64', 0), /^ReplyError: ERR Invalid bitfield type\./);
  });

  test('BITOP AND, OR, XOR and NOT', async () => {
    await r().set(ctx.key('x'), Buffer.from([0b1100, 0xff]));
    await r().set(ctx.key('y'), Buffer.from([0b1010]));
    assert.equal(await r().bitop('AND', ctx.key('and'), ctx.key('x'), ctx.key('y')), 2);
    assert.deepEqual(await r().getBuffer(ctx.key('and')), Buffer.from([0b1000, 0x00]));
    assert.equal(await r().bitop('OR', ctx.key('or'), ctx.key('x'), ctx.key('y')), 2);
    assert.deepEqual(await r().getBuffer(ctx.key('or')), Buffer.from([0b1110, 0xff]));
    assert.equal(await r().bitop('XOR', ctx.key('xor'), ctx.key('x'), ctx.key('y')), 2);
    assert.deepEqual(await r().getBuffer(ctx.key('xor')), Buffer.from([0b0110, 0xff]));
    assert.equal(await r().bitop('NOT', ctx.key('not'), ctx.key('y')), 1);
    assert.deepEqual(await r().getBuffer(ctx.key('not')), Buffer.from([0xf5]));
  });
});
