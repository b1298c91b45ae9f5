import assert from 'node:assert/strict';
import { test } from 'node:test';
import { suite, waitFor } from './lib/client.js';

suite('watch', (ctx) => {
  const r = () => ctx.redis;

  test('WATCH makes EXEC return null when another client changed the key', async () => {
    const k = ctx.key('watched');
    await r().set(k, '1');
    const other = ctx.connect();
    try {
      assert.equal(await r().watch(k), 'OK');
      await other.set(k, '2');
      const results = await r().multi().incr(k).exec();
      assert.equal(results, null);
      assert.equal(await r().get(k), '2');
    } finally {
      other.disconnect();
    }
  });

  test('the optimistic-locking loop adds every increment exactly once', async () => {
    const k = ctx.key('counter');
    await r().set(k, '0');
    const clients = [ctx.connect(), ctx.connect(), ctx.connect()];
    try {
      const add = async (client, times) => {
        for (let done = 0; done < times;) {
          await client.watch(k);
          const value = Number(await client.get(k));
          const results = await client.multi().set(k, String(value + 1)).exec();
          if (results !== null) {
            done++;
          }
        }
      };
      await Promise.all(clients.map((c) => add(c, 20)));
      assert.equal(await r().get(k), '60');
    } finally {
      clients.forEach((c) => c.disconnect());
    }
  });

  test('UNWATCH lets the transaction run', async () => {
    const k = ctx.key('unwatched');
    const other = ctx.connect();
    try {
      await r().watch(k);
      await other.set(k, 'x');
      assert.equal(await r().unwatch(), 'OK');
      assert.deepEqual(await r().multi().get(k).exec(), [[null, 'x']]);
    } finally {
      other.disconnect();
    }
  });
});

suite('keyspace notifications', (ctx) => {
  const r = () => ctx.redis;

  test('a subscriber hears keyspace and keyevent messages for writes', async () => {
    const k = ctx.key('notified');
    const subscriber = ctx.connect();
    const heard = [];
    try {
      subscriber.on('pmessage', (pattern, channel, message) => {
        if (channel.endsWith(k) || message === k) {
          heard.push([channel, message]);
        }
      });
      await subscriber.psubscribe('__key*@0__:*');
      assert.equal(await r().config('SET', 'notify-keyspace-events', 'KEA'), 'OK');
      try {
        await r().set(k, 'v');
        await r().expire(k, 100);
        await r().del(k);
        await waitFor(() => heard.length >= 6, 'six notifications');
      } finally {
        await r().config('SET', 'notify-keyspace-events', '');
      }
      assert.deepEqual(heard, [
        [`__keyspace@0__:${k}`, 'set'], ['__keyevent@0__:set', k],
        [`__keyspace@0__:${k}`, 'expire'], ['__keyevent@0__:expire', k],
        [`__keyspace@0__:${k}`, 'del'], ['__keyevent@0__:del', k],
      ]);
    } finally {
      subscriber.disconnect();
    }
  });
});
