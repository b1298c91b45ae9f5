import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PASSWORD, suite, waitFor } from './lib/client.js';

suite('connection', (ctx) => {
  test('the connection becomes ready and answers PING and ECHO', async () => {
    assert.equal(ctx.redis.status, 'ready');
    assert.equal(await ctx.redis.ping(), 'PONG');
    assert.equal(await ctx.redis.ping('hello'), 'hello');
    assert.equal(await ctx.redis.echo('tschüss'), 'tschüss');
  });

  test('INFO reads as the text a Redis 7 server sends', async () => {
    const info = String(await ctx.redis.info());
    assert.match(info, /^# Server\r\n/);
    assert.match(info, /\r\nredis_version:7\.\d+\.\d+\r\n/);
    assert.match(info, /\r\nredis_mode:standalone\r\n/);
    assert.match(info, /\r\nloading:0\r\n/);
    const server = String(await ctx.redis.info('server'));
    assert.match(server, /^# Server\r\n/);
    assert.doesNotMatch(server, /# Clients/);
  });

  test('connectionName and db options are applied at connect', async () => {
    const other = ctx.connect({ connectionName: 'node-tests', db: 3 });
    try {
      await other.set(ctx.key('in-db-3'), 'x');
      assert.equal(await other.client('GETNAME'), 'node-tests');
      assert.equal(await ctx.redis.exists(ctx.key('in-db-3')), 0);
      assert.equal(await other.exists(ctx.key('in-db-3')), 1);
      const info = String(await other.client('INFO'));
      assert.match(info, /\bname=node-tests\b/);
      assert.match(info, /\bdb=3\b/);
      assert.match(info, new RegExp(`\\bresp=${ctx.protocol}\\b`));
    } finally {
      await other.del(ctx.key('in-db-3'));
      await other.quit();
    }
  });

  test('a wrong password is refused, or AUTH says none is configured', async () => {
    if (PASSWORD) {
      const wrong = ctx.connect({ password: `${PASSWORD}-wrong`, lazyConnect: true });
      const errors = [];
      wrong.on('error', (err) => errors.push(err.message));
      try {
        await assert.rejects(wrong.connect());
      } finally {
        wrong.disconnect();
      }
      assert.ok(errors.some((m) => m.startsWith('WRONGPASS invalid username-password pair or user is disabled.')),
        `errors: ${JSON.stringify(errors)}`);
      await assert.rejects(ctx.redis.auth('wrong'), /^ReplyError: WRONGPASS /);
      assert.equal(await ctx.redis.auth(PASSWORD), 'OK');
    } else {
      await assert.rejects(ctx.redis.auth('anything'),
        /^ReplyError: ERR AUTH <password> called without any password configured for the default user\. Are you sure your configuration is correct\?$/);
    }
  });

  test('an unknown command is rejected with the text Redis gives', async () => {
    await assert.rejects(ctx.redis.call('NOSUCHCOMMAND', 'a'), (err) => {
      assert.equal(err.name, 'ReplyError');
      assert.match(err.message, /^ERR unknown command 'NOSUCHCOMMAND', with args beginning with: 'a' ?$/);
      return true;
    });
    // The connection stays usable after an error.
    assert.equal(await ctx.redis.ping(), 'PONG');
  });

  test('WRONGTYPE surfaces as a ReplyError', async () => {
    await ctx.redis.rpush(ctx.key('list'), 'a');
    await assert.rejects(ctx.redis.get(ctx.key('list')), /^ReplyError: WRONGTYPE Operation against a key holding the wrong kind of value$/);
  });

  test('SELECT switches the database of the connection; QUIT closes it', async () => {
    const other = ctx.connect();
    await other.set(ctx.key('db0'), 'zero');
    assert.equal(await other.select(5), 'OK');
    assert.equal(await other.get(ctx.key('db0')), null);
    await other.set(ctx.key('db5'), 'five');
    assert.equal(await ctx.redis.get(ctx.key('db5')), null);
    assert.equal(await other.quit(), 'OK');
    await waitFor(() => other.status === 'end', 'the server to close the connection after QUIT');
    const again = ctx.connect({ db: 5 });
    try {
      assert.equal(await again.get(ctx.key('db5')), 'five');
      await again.del(ctx.key('db5'));
    } finally {
      await again.quit();
    }
  });

  test('binary-safe values round-trip as Buffers', async () => {
    const bytes = Buffer.from([0, 1, 2, 0xff, 0xfe, 13, 10, 0x24]);
    await ctx.redis.set(ctx.key('bin'), bytes);
    assert.deepEqual(await ctx.redis.getBuffer(ctx.key('bin')), bytes);
    assert.equal(await ctx.redis.strlen(ctx.key('bin')), bytes.length);
    await ctx.redis.set(ctx.key('ключ 🔑'), 'значение ✓');
    assert.equal(await ctx.redis.get(ctx.key('ключ 🔑')), 'значение ✓');
  });
});
