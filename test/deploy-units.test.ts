// deploy/'s systemd units pass `systemd-analyze verify` with no warning, pass only flags and env twins `weft` has, give drains their time, and are hardened.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runWeft, startProxy } from './support/proxy.ts';
import { startUpstream } from './support/upstream.ts';
import { tempDir } from '../plane/test/support.ts';
import { parseDuration } from '../core/config/duration.ts';
import { binNodeEnv } from '../release/node-flags.ts';

const DEPLOY = new URL('../deploy/', import.meta.url).pathname;
const INSTALLED = '/usr/local/bin/weft';
const units = readdirSync(DEPLOY).filter((f) => f.endsWith('.service'));

/** Every `Key=value` of a unit file, by key, in order (a key may repeat). */
function directives(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (m) out.set(m[1], [...(out.get(m[1]) ?? []), m[2]]);
  }
  return out;
}

const unit = (name: string) => directives(readFileSync(join(DEPLOY, name), 'utf8'));
const one = (d: Map<string, string[]>, key: string) => {
  const values = d.get(key) ?? [];
  assert.equal(values.length, 1, `one ${key}=, got ${values.length}`);
  return values[0];
};

/** `weft COMMAND --help`, from the real CLI, cached per command. */
const helps = new Map<string, Promise<string>>();
function help(command: string): Promise<string> {
  if (!helps.has(command)) {
    helps.set(command, runWeft([command, '--help']).then((r) => {
      assert.equal(r.code, 0, r.stderr);
      return r.stdout;
    }));
  }
  return helps.get(command)!;
}

test('deploy/ holds the plane, proxy and sidecar template units', () => {
  assert.deepEqual(units.sort(), ['weft-plane.service', 'weft-proxy.service', 'weft-sidecar@.service']);
});

test('systemd-analyze verify passes on every unit (the sidecar as an instance too) and warns of nothing', async () => {
  // verify checks that ExecStart's program exists: the units, with an executable where they expect /usr/local/bin/weft.
  const dir = tempDir('units');
  const weft = join(dir, 'weft');
  writeFileSync(weft, '#!/bin/sh\n');
  chmodSync(weft, 0o755);
  for (const name of units) writeFileSync(join(dir, name), readFileSync(join(DEPLOY, name), 'utf8').replaceAll(INSTALLED, weft));
  symlinkSync('weft-sidecar@.service', join(dir, 'weft-sidecar@orders.service'));
  const r = await promisify(execFile)('systemd-analyze', ['verify', '--man=no', ...[...units, 'weft-sidecar@orders.service'].map((u) => join(dir, u))], { cwd: dir })
    .then((out) => ({ code: 0, ...out }), (err: { code: number; stdout: string; stderr: string }) => err);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr.trim(), '', 'no warning');
});

for (const name of units) {
  test(`${name}: ExecStart passes only flags its weft command has, and the drain fits in TimeoutStopSec`, async () => {
    const d = unit(name);
    const words = one(d, 'ExecStart').split(/\s+/);
    assert.equal(words[0], INSTALLED);
    const command = words[1];
    const text = await help(command);
    const flags = words.filter((w) => w.startsWith('--'));
    assert.ok(flags.length > 0);
    for (const flag of flags) assert.match(text, new RegExp(`^  ${flag}[ ,]`, 'm'), `${name}: weft ${command} has no ${flag}`);
    assert.ok(flags.includes('--data-dir'), 'state under StateDirectory=, not the default');
    const state = one(d, 'StateDirectory');
    assert.equal(words[words.indexOf('--data-dir') + 1], `%S/${state}`);
    assert.equal(one(d, 'StateDirectoryMode'), '0700');
    assert.equal(one(d, 'KillSignal'), 'SIGTERM');
    const ms = (text: string) => {
      const value = parseDuration(text);
      assert.ok(value !== undefined, `a duration: ${text}`);
      return value;
    };
    const stop = ms(one(d, 'TimeoutStopSec'));
    const drain = words.includes('--drain-timeout') ? ms(words[words.indexOf('--drain-timeout') + 1]) : 15_000;
    assert.ok(stop > drain, `${name}: TimeoutStopSec (${stop} ms) leaves the drain (${drain} ms) time to end before SIGKILL`);
    // The executable cannot set the environment glibc reads before it starts: the unit gives it what npm's bin's first line sets.
    assert.deepEqual((d.get('Environment') ?? []).sort(), Object.entries(binNodeEnv()).map(([k, v]) => `${k}=${v}`).sort());
  });

  test(`${name}: hardened, as a user of its own that can write only /var/lib/weft`, () => {
    const d = unit(name);
    for (const [key, value] of Object.entries({
      User: 'weft', NoNewPrivileges: 'yes', ProtectSystem: 'strict', ReadWritePaths: '/var/lib/weft', ProtectHome: 'yes',
      PrivateTmp: 'yes', PrivateDevices: 'yes', RestrictSUIDSGID: 'yes', UMask: '0077', CapabilityBoundingSet: '',
    })) assert.equal(one(d, key), value, `${name}: ${key}`);
    // V8 writes the code it compiles (JavaScript, WebAssembly) to executable memory.
    assert.equal(d.has('MemoryDenyWriteExecute'), false);
  });
}

test('the proxy units reload with SIGHUP, which a proxy without a config file survives too', async (t) => {
  for (const name of ['weft-proxy.service', 'weft-sidecar@.service']) assert.equal(one(unit(name), 'ExecReload'), '/bin/kill -HUP $MAINPID');
  // The plane ends on SIGHUP (it has nothing to re-read): its unit must not send one.
  assert.equal(unit('weft-plane.service').has('ExecReload'), false);

  const app = await startUpstream();
  t.after(() => app.close());
  const proxy = await startProxy(['--upstream', app.url, '--workers', '1']);
  t.after(() => proxy.stop());
  proxy.proc.kill('SIGHUP');
  while (!proxy.stderr().includes('SIGHUP: no --config file to re-read')) await new Promise((r) => setTimeout(r, 50));
  const res = await fetch(`${proxy.url}/after-hup`);
  assert.equal(res.status, 200);
  await res.text();
  assert.equal(proxy.proc.exitCode, null);
});

test('the proxy units are restarted when the proxy fails: a --workers 1 proxy serves on its main thread, and a fault there ends it', () => {
  for (const name of ['weft-proxy.service', 'weft-sidecar@.service']) {
    const d = unit(name);
    assert.equal(one(d, 'Restart'), 'on-failure', name);
    assert.ok(one(d, 'RestartSec'), name);
  }
});

test('the sidecar template serves the instance\'s service and takes the plane\'s token as a credential, not from its environment', () => {
  const d = unit('weft-sidecar@.service');
  const start = one(d, 'ExecStart');
  assert.match(start, /--service %i\b/);
  assert.match(start, /--token-file %d\/plane-token\b/);
  assert.match(one(d, 'LoadCredential'), /^plane-token:\/etc\/weft\/credentials\/plane-token$/);
  assert.equal(one(d, 'EnvironmentFile'), '/etc/weft/sidecar-%i.env');
});

test('the example env files set only env twins of their command\'s flags', async () => {
  for (const [file, command] of [['plane.env', 'plane'], ['proxy.env', 'proxy'], ['sidecar.env', 'proxy']]) {
    const text = await help(command);
    const names = readFileSync(join(DEPLOY, file), 'utf8').split('\n').filter((l) => /^\w+=/.test(l)).map((l) => l.split('=')[0]);
    assert.ok(names.length > 0, file);
    for (const n of names) assert.match(text, new RegExp(`env ${n}\\)`), `${file}: ${n} is no env twin of weft ${command}`);
  }
});
