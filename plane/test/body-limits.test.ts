// Request bodies on a real plane: each endpoint's cap is enforced as the bytes arrive (413, connection closed), and a burst of huge posts leaves its memory where it was.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { versionedFilter } from './modules.ts';
import { startPlane } from './support.ts';

interface RawAnswer {
  /** What the plane sent: one whole answer, or what came before the connection ended. */
  text: string;
  /** 'answered' (a whole response came), 'end', 'close' or 'error: CODE' (the connection ended first), or 'timeout'. */
  ending: string;
}

/** A whole response is in: its head and as many body bytes as its content-length says. */
function whole(text: string): boolean {
  const headEnd = text.indexOf('\r\n\r\n');
  const length = /content-length: (\d+)/i.exec(text.slice(0, headEnd))?.[1];
  return headEnd >= 0 && length !== undefined && text.length >= headEnd + 4 + Number(length);
}

/**
 * Sends `head` then `body` on one connection and resolves with the first whole answer. The plane must answer
 * on its own while the body is still coming: the timeout only keeps a plane that waits for the whole body from hanging the test.
 */
function raw(url: string, head: string, body: Buffer | Buffer[] = Buffer.alloc(0), timeoutMs = 20_000): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    let text = '';
    const finish = (ending: string) => { clearTimeout(timer); socket.destroy(); resolve({ text, ending }); };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    socket.on('data', (d) => {
      text += d.toString('latin1');
      if (whole(text)) finish('answered');
    });
    socket.on('end', () => finish('end'));
    socket.on('error', (err: NodeJS.ErrnoException) => finish(`error: ${err.code}`));
    socket.on('close', () => finish('close'));
    socket.write(head);
    for (const chunk of Array.isArray(body) ? body : [body]) if (chunk.length) socket.write(chunk);
  });
}

function status(answer: RawAnswer): number {
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(answer.text)?.[1] ?? 0);
}

function rssBytes(pid: number): number {
  const kib = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kib) * 1024;
}

test('request body caps on the plane API', { timeout: 120_000 }, async (t) => {
  const plane = await startPlane();
  t.after(() => plane.stop());
  const auth = `authorization: Bearer ${plane.token}\r\n`;

  await t.test('an unauthenticated join declaring 31 MB is refused with 413 before its body is sent', async () => {
    const answer = await raw(plane.url, 'POST /v1/identity/join HTTP/1.1\r\nhost: plane\r\ncontent-type: application/json\r\ncontent-length: 31000000\r\n\r\n', Buffer.alloc(1024, 'x'));
    assert.equal(answer.ending, 'answered', answer.text);
    assert.equal(status(answer), 413, answer.text);
    assert.match(answer.text, /"error":"WEFT_ERR_PLANE_BODY_TOO_LARGE".*over 16384 bytes/);
  });

  await t.test('a chunked renewal is refused as soon as it passes 16 KiB, while more is still coming', async () => {
    // 64 chunks of 1 KiB and no last chunk: the request never ends, so only a refusal on arrival answers it.
    const chunk = Buffer.from(`400\r\n${'y'.repeat(1024)}\r\n`);
    const answer = await raw(plane.url, 'POST /v1/identity/renew HTTP/1.1\r\nhost: plane\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n', Array(64).fill(chunk));
    assert.equal(answer.ending, 'answered', answer.text);
    assert.equal(status(answer), 413, answer.text);
  });

  await t.test('a join of normal size still reaches the CA (and is refused for its bad token, not its size)', async () => {
    const res = await fetch(`${plane.url}/v1/identity/join`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: 'nope', csr: 'x'.repeat(2000) }) });
    assert.notEqual(res.status, 413);
    assert.equal(((await res.json()) as { error: string }).error.startsWith('WEFT_ERR_IDENTITY'), true);
  });

  await t.test('authenticated endpoints have their own caps: 1 MiB for reports, 4 MiB for a mesh config, 32 MiB for a module', async () => {
    const cases: [string, number, number][] = [
      ['POST /v1/nodes/p1/ack', 2 << 20, 1 << 20],
      ['POST /v1/nodes/p1/stats', 2 << 20, 1 << 20],
      ['PUT /v1/mesh', 5 << 20, 4 << 20],
      ['PUT /v1/filters/big/versions/1', 33 << 20, 32 << 20],
    ];
    for (const [line, declared, cap] of cases) {
      const answer = await raw(plane.url, `${line} HTTP/1.1\r\nhost: plane\r\n${auth}content-length: ${declared}\r\n\r\n`);
      assert.equal(status(answer), 413, `${line}: ${answer.ending}: ${answer.text}`);
      assert.match(answer.text, new RegExp(`over ${cap} bytes`), line);
    }
    // Without the token the body is not read either: 401 at once.
    const anonymous = await raw(plane.url, `PUT /v1/mesh HTTP/1.1\r\nhost: plane\r\ncontent-length: ${31 << 20}\r\n\r\n`);
    assert.equal(anonymous.ending, 'answered', anonymous.text);
    assert.equal(status(anonymous), 401);
  });

  await t.test('20 concurrent 31 MB joins: every one refused with 413, the plane never holds their bodies, and it still answers', async () => {
    // A push first: the sandbox thread (binaryen) is loaded by then, so what the RSS shows next is the burst's.
    assert.equal((await plane.push('warm', '1', await versionedFilter('warm'))).status, 201);
    const before = rssBytes(plane.proc.pid!);
    let peak = before;
    const sampler = setInterval(() => { peak = Math.max(peak, rssBytes(plane.proc.pid!)); }, 20);
    const body = Buffer.alloc(31_000_000, 'z');
    let answers: RawAnswer[];
    try {
      answers = await Promise.all(Array.from({ length: 20 }, () =>
        raw(plane.url, 'POST /v1/identity/join HTTP/1.1\r\nhost: plane\r\ncontent-type: application/json\r\ncontent-length: 31000000\r\n\r\n', body)));
    } finally {
      clearInterval(sampler);
    }
    peak = Math.max(peak, rssBytes(plane.proc.pid!));
    assert.deepEqual(answers.map(status), Array(20).fill(413), answers.map((a) => `${a.ending}: ${a.text.slice(0, 60)}`).join('\n'));
    // Buffered, the bodies took 20 x 31 MB (677 MiB more before this was fixed); refused unread, they take nothing beyond noise.
    const grew = peak - before;
    assert.ok(grew < 32 << 20, `the plane's RSS grew by ${(grew / 1048576).toFixed(0)} MiB during the burst`);
    const after = rssBytes(plane.proc.pid!) - before;
    assert.ok(after < 32 << 20, `the plane's RSS stayed ${(after / 1048576).toFixed(0)} MiB above where it was`);
    const health = await fetch(`${plane.url}/healthz`);
    assert.equal(health.status, 200);
  });
});
