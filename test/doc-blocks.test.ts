// How the docs test reads a README: fences and their file markers, commands, expected output, the markers it acts on, the servers it knows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFences, readShellBlock, splitComment } from './support/doc-blocks.ts';
import { serverKind } from './support/doc-session.ts';

test('fences carry their language, their text and the file marker just before them', () => {
  const fences = readFences('# t\n\n<!-- file: a/b.yaml -->\n```yaml\nx: 1\n```\n\n```\nplain\n```\n  ```sh\n  echo hi\n  ```\n');
  assert.deepEqual(fences, [
    { line: 4, lang: 'yaml', text: 'x: 1', file: 'a/b.yaml' },
    { line: 8, lang: '', text: 'plain', file: undefined },
    { line: 11, lang: 'sh', text: 'echo hi', file: undefined },
  ]);
  assert.throws(() => readFences('```sh\necho hi\n'), /line 1: a fenced block that never closes/);
});

test('a comment starts at a # that begins a word outside quotes', () => {
  assert.deepEqual(splitComment('curl -i http://x/a#b   # → 200'), { code: 'curl -i http://x/a#b', comment: '→ 200' });
  assert.deepEqual(splitComment(`echo '# not a comment' "#nor this" \\# # but this`), { code: `echo '# not a comment' "#nor this" \\#`, comment: 'but this' });
  assert.deepEqual(splitComment('echo "a \\" # b"'), { code: 'echo "a \\" # b"' });
});

test('commands join their continuation lines and keep the output their → comment names, in order', () => {
  const block = readShellBlock([
    'npx weft proxy --listen 127.0.0.1:8080 \\',
    '  --upstream http://127.0.0.1:3000',
    '# a note for the reader',
    'curl -i http://127.0.0.1:8080/   # what it shows → HTTP/1.1 200 … "x-tenant": "blue"',
    'npx weft status                  # no arrow, nothing checked',
  ].join('\n'), 10);
  assert.deepEqual(block.steps, [
    { kind: 'command', line: 11, text: 'npx weft proxy --listen 127.0.0.1:8080 \\\n  --upstream http://127.0.0.1:3000', expect: [] },
    { kind: 'command', line: 14, text: 'curl -i http://127.0.0.1:8080/', expect: ['HTTP/1.1 200', '"x-tenant": "blue"'] },
    { kind: 'command', line: 15, text: 'npx weft status', expect: [] },
  ]);
});

test('"# Ctrl-C the NAME started above" stops that server before the next command', () => {
  const block = readShellBlock('# Ctrl-C the proxy started above, then:\nnpx weft proxy --config x.yaml', 1);
  assert.deepEqual(block.steps[0], { kind: 'stop', line: 2, server: 'proxy' });
});

test('a block that does not run says why; one that cannot be run faithfully is refused with its line', () => {
  assert.deepEqual(readShellBlock('# not run by the docs test: needs systemd\nsystemctl start weft', 5), { line: 5, steps: [], skip: 'needs systemd' });
  assert.throws(() => readShellBlock('# not run by the docs test:\nnpm ci', 5), /line 6: "not run by the docs test" needs a reason/);
  assert.throws(() => readShellBlock('npx weft proxy --listen 127.0.0.1:8080 &', 5), /line 6: heredocs and trailing "&"/);
  assert.throws(() => readShellBlock('cat > x <<EOF\nx\nEOF', 5), /line 6: heredocs/);
  assert.throws(() => readShellBlock('# only a comment', 5), /line 5: a sh block with no command/);
  assert.throws(() => readShellBlock('curl http://x/ # →', 5), /line 6: "# →" names no output/);
  assert.doesNotThrow(() => readShellBlock('true && echo ok', 5));
});

test('servers are recognised by their command line; their help and other subcommands are not servers', () => {
  assert.equal(serverKind('npx weft proxy --listen 127.0.0.1:8080 --upstream http://127.0.0.1:3000')?.name, 'proxy');
  assert.equal(serverKind('node_modules/.bin/node cli/weft.ts proxy --config /etc/weft.yaml')?.name, 'proxy');
  assert.equal(serverKind('npx weft plane --listen 127.0.0.1:7900')?.name, 'plane');
  assert.equal(serverKind('node examples/upstream.js 127.0.0.1:3000')?.name, 'sample upstream');
  assert.equal(serverKind('npx weft proxy --help'), undefined);
  assert.equal(serverKind('npx weft plane token'), undefined);
  assert.equal(serverKind('npx weft proxyish'), undefined);
  assert.deepEqual(serverKind('npx weft proxy --listen 127.0.0.1:0 --plane $WEFT_PLANE --service orders')!.ready('npx weft proxy --listen 127.0.0.1:0 --plane $WEFT_PLANE --service orders'),
    ['"msg":"weft proxy ready"', '"msg":"applied snapshot"', '"msg":"registered in the service registry"']);
});
