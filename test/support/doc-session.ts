// One bash session that runs a document's commands in order, as a user pastes them: servers in the background until their ready line, the rest one by one.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** A command that serves until stopped: a user gives it its own terminal; the session starts it in the background. */
export interface ServerKind {
  name: string;
  command: RegExp;
  /** What its output shows once it serves, for this command line (every fragment must appear). */
  ready(command: string): string[];
}

export const SERVERS: ServerKind[] = [
  {
    name: 'proxy',
    command: /^(?:npx weft|node_modules\/\.bin\/node cli\/weft\.ts) proxy(?:\s|$)/,
    // On a plane, the first snapshot (its routes) comes after the listeners; a sidecar is reachable once registered.
    ready: (command) => [
      '"msg":"weft proxy ready"',
      ...(/\s--plane\b/.test(command) ? ['"msg":"applied snapshot"'] : []),
      ...(/\s--service\b/.test(command) ? ['"msg":"registered in the service registry"'] : []),
    ],
  },
  { name: 'plane', command: /^npx weft plane(?!\s+token\b)(?:\s|$)/, ready: () => ['"msg":"weft plane ready"'] },
  { name: 'sample upstream', command: /^node examples\/upstream\.js(?:\s|$)/, ready: () => ['sample upstream listening on'] },
  // README's service outside the mesh: openssl's test TLS server, which prints ACCEPT once it listens.
  { name: 'openssl test server', command: /^openssl s_server(?:\s|$)/, ready: () => ['ACCEPT'] },
];

/** The server `command` starts, if it starts one (`weft proxy --help` prints and exits). */
export function serverKind(command: string): ServerKind | undefined {
  if (/\s(?:--help|-h)(?:\s|$)/.test(command)) return undefined;
  return SERVERS.find((s) => s.command.test(command));
}

export interface Output { code: number; stdout: string; stderr: string }
/** SIGTERM to exit: a proxy's drain (15 s at most by default) and a sidecar's deregistration, on a loaded machine. */
const STOP_GRACE_MS = 30_000;
interface Server { name: string; pgid: number; log: string; command: string }

// Process groups this test process started; killed at exit whatever happened (a test cancelled by its timeout included).
const liveGroups = new Set<number>();
process.on('exit', () => {
  for (const pgid of liveGroups) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
});

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitGone(pgid: number, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(50)) if (!groupAlive(pgid)) return true;
  return !groupAlive(pgid);
}

/** Output without npm's own warnings (an engine older than the package wants), which say nothing about the command. */
export function withoutNpmWarnings(text: string): string {
  return text.split('\n').filter((l) => !l.startsWith('npm warn')).join('\n');
}

function tail(text: string, lines = 12): string {
  return withoutNpmWarnings(text).trimEnd().split('\n').slice(-lines).join('\n');
}

/**
 * bash reads the commands from a pipe and answers on fd 3 (`ID STATUS` for a command, `ID PGID` for a server),
 * so a command's own output never mixes with the protocol. Foreground commands run in the session's process
 * group; each server gets a group of its own (`set -m`), so stopping it is a terminal's Ctrl-C: SIGINT to the group.
 */
export class DocSession {
  readonly #bash: ChildProcess;
  readonly #dir: string;
  readonly #servers: Server[] = [];
  readonly #waiting = new Map<string, (reply: string | Error) => void>();
  #control = '';
  #bashOutput = '';
  #seq = 0;

  /** `dir` holds each command's script and output; `cwd` and `env` are the user's shell. */
  constructor(cwd: string, env: NodeJS.ProcessEnv, dir: string) {
    this.#dir = dir;
    this.#bash = spawn('bash', ['--noprofile', '--norc'], { cwd, env, stdio: ['pipe', 'pipe', 'pipe', 'pipe'], detached: true });
    liveGroups.add(this.#bash.pid!);
    // A write after bash died fails with EPIPE: its 'exit' below is what reports that.
    this.#bash.stdin!.on('error', () => undefined);
    this.#bash.stdout!.on('data', (d) => (this.#bashOutput += d));
    this.#bash.stderr!.on('data', (d) => (this.#bashOutput += d));
    (this.#bash.stdio[3] as NodeJS.ReadableStream).on('data', (d: Buffer) => {
      this.#control += d;
      let nl: number;
      while ((nl = this.#control.indexOf('\n')) >= 0) {
        const [id, reply] = this.#control.slice(0, nl).split(' ');
        this.#control = this.#control.slice(nl + 1);
        this.#waiting.get(id)?.(reply);
      }
    });
    this.#bash.on('exit', (code, signal) => {
      const err = new Error(`the bash session ended (${signal ?? code}): ${tail(this.#bashOutput)}`);
      for (const done of this.#waiting.values()) done(err);
    });
  }

  #send(id: string, line: string, timeoutMs: number, what: string): Promise<string> {
    if (this.#bash.exitCode !== null || this.#bash.signalCode !== null) return Promise.reject(new Error(`the bash session has ended: ${tail(this.#bashOutput)}`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(id);
        // A foreground command runs in the session's group: ending the session ends it; close() stops the servers.
        try {
          process.kill(-this.#bash.pid!, 'SIGKILL');
        } catch {
          // Already gone.
        }
        reject(new Error(`${what} did not finish within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      this.#waiting.set(id, (reply) => {
        clearTimeout(timer);
        this.#waiting.delete(id);
        if (reply instanceof Error) reject(reply);
        else resolve(reply);
      });
      this.#bash.stdin!.write(`${line}\n`);
    });
  }

  #script(text: string): { id: string; file: string } {
    const id = String(++this.#seq);
    const file = join(this.#dir, `${id}.sh`);
    writeFileSync(file, `${text}\n`);
    return { id, file };
  }

  /** Runs one command in the session (its exports and `cd`s stay), stdin empty. */
  async run(text: string, timeoutMs: number): Promise<Output> {
    const { id, file } = this.#script(text);
    const out = join(this.#dir, `${id}.out`);
    const err = join(this.#dir, `${id}.err`);
    const status = await this.#send(id, `eval "$(<'${file}')" </dev/null >'${out}' 2>'${err}' 3>&-; echo "${id} $?" >&3`, timeoutMs, 'the command');
    return { code: Number(status), stdout: readFileSync(out, 'utf8'), stderr: readFileSync(err, 'utf8') };
  }

  /** Starts a server in the background and resolves once its output shows every `ready` fragment. */
  async serve(text: string, kind: ServerKind, timeoutMs: number): Promise<void> {
    const { id, file } = this.#script(text);
    const log = join(this.#dir, `${id}.log`);
    const pgid = Number(await this.#send(id, `set -m; eval "$(<'${file}')" </dev/null >'${log}' 2>&1 3>&- & echo "${id} $!" >&3; set +m`, 10_000, 'starting the server'));
    liveGroups.add(pgid);
    this.#servers.push({ name: kind.name, pgid, log, command: text.split('\n')[0] });
    const ready = kind.ready(text);
    for (const end = Date.now() + timeoutMs; ; await sleep(100)) {
      const output = existsSync(log) ? readFileSync(log, 'utf8') : '';
      if (ready.every((r) => output.includes(r))) return;
      if (!groupAlive(pgid)) throw new Error(`the ${kind.name} exited before it was ready:\n${tail(output)}`);
      if (Date.now() > end) throw new Error(`the ${kind.name} did not show ${ready.filter((r) => !output.includes(r)).join(' and ')} within ${timeoutMs / 1000} s:\n${tail(output)}`);
    }
  }

  /** Ctrl-C on the newest running server called `name`; resolves once all its processes have exited. */
  async interrupt(name: string, timeoutMs: number): Promise<void> {
    const at = this.#servers.findLastIndex((s) => s.name === name);
    if (at < 0) throw new Error(`no ${name} is running (running: ${this.#servers.map((s) => s.name).join(', ') || 'none'})`);
    const [server] = this.#servers.splice(at, 1);
    process.kill(-server.pgid, 'SIGINT');
    if (await waitGone(server.pgid, timeoutMs)) {
      liveGroups.delete(server.pgid);
      return;
    }
    this.#servers.push(server);
    throw new Error(`the ${name} did not exit within ${timeoutMs / 1000} s of Ctrl-C:\n${tail(readFileSync(server.log, 'utf8'))}`);
  }

  /** The output of the servers still running, for a failure's report. */
  serverLogs(): string {
    return this.#servers.map((s) => `--- ${s.name}:\n${tail(readFileSync(s.log, 'utf8'))}`).join('\n');
  }

  /**
   * Stops every server (newest first: SIGTERM to its group, as a service manager would) and the session. Throws,
   * once everything is gone, if a server had to be killed.
   */
  async close(): Promise<void> {
    const stubborn: string[] = [];
    for (const server of this.#servers.reverse()) {
      try {
        process.kill(-server.pgid, 'SIGTERM');
      } catch {
        // Exited by itself.
      }
      if (!(await waitGone(server.pgid, STOP_GRACE_MS))) {
        stubborn.push(`${server.command}\n${tail(readFileSync(server.log, 'utf8'))}`);
        process.kill(-server.pgid, 'SIGKILL');
        await waitGone(server.pgid, 5_000);
      }
      liveGroups.delete(server.pgid);
    }
    this.#servers.length = 0;
    this.#bash.stdin!.end();
    try {
      process.kill(-this.#bash.pid!, 'SIGKILL');
    } catch {
      // Already gone.
    }
    await waitGone(this.#bash.pid!, 5_000);
    liveGroups.delete(this.#bash.pid!);
    if (stubborn.length) throw new Error(`still running ${STOP_GRACE_MS / 1000} s after SIGTERM, killed:\n${stubborn.join('\n')}`);
  }
}
