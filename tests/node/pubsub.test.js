import assert from 'node:assert/strict';
import { test } from 'node:test';
import { suite, waitFor } from './lib/client.js';

suite('pubsub', (ctx) => {
  const r = () => ctx.redis;

  test('SUBSCRIBE and PSUBSCRIBE receive what another connection publishes', async () => {
    const news = ctx.key('news');
    const sport = ctx.key('sport');
    const sub = ctx.connect();
    const messages = [];
    const pmessages = [];
    sub.on('message', (channel, message) => messages.push([channel, message]));
    sub.on('pmessage', (pattern, channel, message) => pmessages.push([pattern, channel, message]));
    try {
      assert.equal(await sub.subscribe(news, sport), 2);
      assert.equal(await sub.psubscribe(ctx.key('n*')), 3);

      assert.equal(await r().publish(news, 'hello'), 2, 'one channel and one pattern subscriber');
      assert.equal(await r().publish(sport, 'goal'), 1);
      assert.equal(await r().publish(ctx.key('nothing-here'), 'pattern only'), 1);
      assert.equal(await r().publish(ctx.key('weather'), 'rain'), 0);

      await waitFor(() => messages.length === 2 && pmessages.length === 2, 'two messages and two pmessages');
      assert.deepEqual(messages, [[news, 'hello'], [sport, 'goal']]);
      assert.deepEqual(pmessages, [
        [ctx.key('n*'), news, 'hello'],
        [ctx.key('n*'), ctx.key('nothing-here'), 'pattern only'],
      ]);

      assert.deepEqual(await r().pubsub('NUMSUB', news, ctx.key('weather')), [news, 1, ctx.key('weather'), 0]);
      assert.deepEqual((await r().pubsub('CHANNELS', ctx.key('*'))).sort(), [news, sport].sort());

      assert.equal(await sub.unsubscribe(news), 2);
      assert.equal(await r().publish(news, 'after unsubscribe'), 1, 'only the pattern is left for news');
      assert.equal(await sub.punsubscribe(ctx.key('n*')), 1);
      assert.equal(await r().publish(news, 'nobody'), 0);
      assert.equal(await r().publish(sport, 'still here'), 1);
      await waitFor(() => messages.length === 3, 'the third message');
      assert.deepEqual(messages[2], [sport, 'still here']);
      await waitFor(() => pmessages.length === 3, 'the third pmessage');
      assert.deepEqual(pmessages[2], [ctx.key('n*'), news, 'after unsubscribe']);

      assert.equal(await sub.unsubscribe(), 0);
      assert.equal(await r().publish(sport, 'gone'), 0);
    } finally {
      sub.disconnect();
    }
  });

  test('messages arrive in publish order and binary payloads survive', async () => {
    const channel = ctx.key('ordered');
    const sub = ctx.connect();
    const received = [];
    sub.on('messageBuffer', (ch, message) => received.push(message));
    try {
      await sub.subscribe(channel);
      const payloads = [];
      for (let i = 0; i < 100; i++) {
        payloads.push(Buffer.from([i, 0, 13, 10, 255 - i]));
      }
      const counts = await Promise.all(payloads.map((p) => r().publish(channel, p)));
      assert.deepEqual(counts, Array(100).fill(1));
      await waitFor(() => received.length === 100, '100 messages');
      assert.deepEqual(received, payloads);
    } finally {
      sub.disconnect();
    }
  });

  test('two subscribers on one channel both receive each message', async () => {
    const channel = ctx.key('shared');
    const a = ctx.connect();
    const b = ctx.connect();
    const gotA = [];
    const gotB = [];
    a.on('message', (_, m) => gotA.push(m));
    b.on('message', (_, m) => gotB.push(m));
    try {
      await a.subscribe(channel);
      await b.subscribe(channel);
      assert.equal(await r().publish(channel, 'one'), 2);
      assert.equal(await r().publish(channel, 'two'), 2);
      await waitFor(() => gotA.length === 2 && gotB.length === 2, 'both subscribers to get both messages');
      assert.deepEqual(gotA, ['one', 'two']);
      assert.deepEqual(gotB, ['one', 'two']);
    } finally {
      a.disconnect();
      b.disconnect();
    }
  });
});
