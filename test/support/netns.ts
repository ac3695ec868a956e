// Hosts made of Linux network namespaces for the multi-host test: each a veth pair on one bridge with one address; all removed by close(), and what a killed earlier run left swept first.
import './file-guard.ts';
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Every name a run makes starts with this and its pid, so a later run can tell a dead run's leftovers by the pid. */
const PREFIX = 'wmh';

export interface Host {
  name: string;
  /** The network namespace. */
  ns: string;
  /** Its one address on the bridge. */
  addr: string;
  /** The bridge side of its veth pair: taking it down cuts the host off, as a pulled cable would. */
  link: string;
}

export interface Network {
  hosts: Record<string, Host>;
  /** The test process's own address on the bridge: it reaches every host from the root namespace. */
  gateway: string;
  /** A directory for this run's files (data dirs, logs), removed by close(). */
  dir: string;
  /** Starts a command inside a host (`ip netns exec` becomes the command: the child's pid is the command's). */
  spawn(host: Host, command: string, args: string[], options?: SpawnOptions): ChildProcess;
  /** Runs a command inside a host to completion; throws with its stderr when it fails. */
  exec(host: Host, command: string, args: string[]): string;
  cut(host: Host): void;
  restore(host: Host): void;
  /** Kills what runs inside the hosts and removes them, the bridge and the directory. */
  close(): Promise<void>;
}

function ip(...args: string[]): string {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.error) throw new Error(`cannot run ip (iproute2): ${r.error.message}`);
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr.trim()}`);
  return r.stdout;
}

/** The multi-host test builds namespaces, bridges and firewall rules: it needs root, as CI runs it. */
export function requireRoot(): void {
  if (process.getuid?.() !== 0) {
    throw new Error('the multi-host test builds Linux network namespaces (ip netns, veth, a bridge, iptables) and needs root: run npm test as root, as CI does');
  }
  const r = spawnSync('ip', ['-V'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error('the multi-host test needs iproute2 (`ip`): apt-get install iproute2');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid in a name this module made, if the name is one of ours. */
function ownerPid(name: string): number | undefined {
  const m = new RegExp(`^${PREFIX}(\\d+)`).exec(name);
  return m ? Number(m[1]) : undefined;
}

/** Removes the namespaces (and whatever still runs in them), bridges and directories of runs whose process is gone. */
export function sweepLeftovers(): string[] {
  const removed: string[] = [];
  const dead = (name: string) => {
    const pid = ownerPid(name);
    return pid !== undefined && pid !== process.pid && !alive(pid);
  };
  for (const { name } of JSON.parse(ip('-j', 'netns', 'list') || '[]') as { name: string }[]) {
    if (!dead(name)) continue;
    killInside(name);
    ip('netns', 'delete', name);
    removed.push(name);
  }
  // Bridges and the root ends of veth pairs: a namespace something still held when it was deleted keeps its pair.
  for (const { ifname } of JSON.parse(ip('-j', 'link', 'show') || '[]') as { ifname: string }[]) {
    if (!dead(ifname)) continue;
    spawnSync('ip', ['link', 'delete', ifname]);
    removed.push(ifname);
  }
  for (const entry of readdirSync(tmpdir())) {
    if (!dead(entry)) continue;
    rmSync(join(tmpdir(), entry), { recursive: true, force: true });
    removed.push(entry);
  }
  return removed;
}

function killInside(ns: string): void {
  const pids = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).map(Number);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
}

/** A /24 under 10.213.0.0/16 that no route in this namespace uses yet. */
function freeSubnet(): string {
  const routes = ip('-4', 'route', 'show', 'table', 'all');
  for (let i = 0; i < 250; i++) {
    const third = ((process.pid + i) % 250) + 1;
    const subnet = `10.213.${third}`;
    if (!routes.includes(`${subnet}.`)) return subnet;
  }
  throw new Error('no free /24 under 10.213.0.0/16 for the test network');
}

/**
 * Hosts `names[i]` get .10+i on a fresh /24; the root namespace is .1 on the bridge. Everything is named after this
 * process's pid; on a failure half-way the parts already made are removed before the error is thrown.
 */
export function createNetwork(names: string[]): Network {
  const tag = `${PREFIX}${process.pid}`;
  const subnet = freeSubnet();
  const bridge = tag;
  const dir = join(tmpdir(), `${tag}-run`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const hosts: Record<string, Host> = {};
  const children = new Set<ChildProcess>();
  const network: Network = {
    hosts,
    gateway: `${subnet}.1`,
    dir,
    spawn(host, command, args, options = {}) {
      const child = spawn('ip', ['netns', 'exec', host.ns, command, ...args], options);
      children.add(child);
      child.once('exit', () => children.delete(child));
      return child;
    },
    exec(host, command, args) {
      const r = spawnSync('ip', ['netns', 'exec', host.ns, command, ...args], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`${host.name}: ${command} ${args.join(' ')}: ${(r.stderr || r.error?.message || '').trim()}`);
      return r.stdout;
    },
    cut: (host) => void ip('link', 'set', host.link, 'down'),
    restore: (host) => void ip('link', 'set', host.link, 'up'),
    async close() {
      await Promise.all([...children].map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = once(child, 'exit');
        child.kill('SIGKILL');
        await exited;
      }));
      removeAll();
    },
  };
  const removeAll = () => {
    for (const host of Object.values(hosts)) {
      killInside(host.ns);
      spawnSync('ip', ['netns', 'delete', host.ns]);
      spawnSync('ip', ['link', 'delete', host.link]);
    }
    spawnSync('ip', ['link', 'delete', bridge]);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    ip('link', 'add', bridge, 'type', 'bridge');
    ip('addr', 'add', `${network.gateway}/24`, 'dev', bridge);
    ip('link', 'set', bridge, 'up');
    names.forEach((name, i) => {
      const host: Host = { name, ns: `${tag}-${name}`, addr: `${subnet}.${10 + i}`, link: `${tag}${name}` };
      hosts[name] = host;
      ip('netns', 'add', host.ns);
      ip('link', 'add', host.link, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', host.ns);
      ip('link', 'set', host.link, 'master', bridge);
      ip('link', 'set', host.link, 'up');
      ip('-n', host.ns, 'addr', 'add', `${host.addr}/24`, 'dev', 'eth0');
      ip('-n', host.ns, 'link', 'set', 'eth0', 'up');
      ip('-n', host.ns, 'link', 'set', 'lo', 'up');
    });
  } catch (err) {
    removeAll();
    throw err;
  }
  return network;
}
