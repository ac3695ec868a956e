#!/usr/bin/env node
// The `weft` command: dispatches each command to the part that owns it (loaded on demand), and reports any failure in one place.
import { findSubcommand, groupHelp, runCommand } from '../core/cli/command.ts';
import type { Command, CommandGroup } from '../core/cli/command.ts';
import { debugRequested, reportFailure } from '../core/cli/failure.ts';
import { usageError } from '../core/cli/flags.ts';
import { closestName } from '../core/closest.ts';
import { buildStamp } from '../core/runtime/assets.ts';

/** A command parses its own argv (`main`), is one declared Command, or is a group of them. */
type Loaded = { main: (argv: string[]) => Promise<number | void> } | { command: Command } | { group: CommandGroup };

const commands: Record<string, { summary: string; load: () => Promise<Loaded> }> = {
  proxy: { summary: 'run the data-plane proxy', load: () => import('../core/cli/proxy-command.ts') },
  schema: { summary: 'print the JSON Schema of the proxy config file', load: async () => ({ command: (await import('../core/cli/schema-command.ts')).schemaCommand }) },
  demo: { summary: 'run a mesh on loopback: plane, three services with mTLS sidecars, filters, traffic, a live table', load: () => import('./demo/command.ts') },
  filter: {
    summary: 'filters: new, build, test and inspect them (the SDK); push, list, roll back and delete versions (the plane)',
    load: async () => {
      const [tools, registry] = await Promise.all([import('../sdk/tools/filter-command.ts'), import('../plane/cli/filter-command.ts')]);
      // A build leaves the SDK's compiler out (ARCHITECTURE.md, "One executable, one bundle").
      const sdk = buildStamp ? (await import('../release/no-assemblyscript.ts')).withoutCompiler(tools.filterTools) : tools.filterTools;
      return { group: { ...sdk, ...registry.registryCommands } };
    },
  },
  plane: { summary: 'run the control plane (SQLite by default, etcd for replicas); plane token prints its API token', load: () => import('../plane/cli/plane-command.ts') },
  apply: { summary: 'apply mesh config (routes, clusters, filter chains) or an AuthorizationPolicy to the plane: apply -f FILE', load: async () => ({ command: (await import('../plane/cli/mesh-command.ts')).applyCommand }) },
  get: { summary: 'print mesh resources from the plane: get routes|clusters|filters|policies', load: async () => ({ command: (await import('../plane/cli/mesh-command.ts')).getCommand }) },
  service: { summary: 'service registry: register | heartbeat | deregister | list', load: async () => ({ group: (await import('../plane/cli/service-command.ts')).serviceCommands }) },
  status: { summary: 'every proxy: config and filter versions, ACK/NACK with the error, lag', load: async () => ({ command: (await import('../plane/cli/status-command.ts')).statusCommand }) },
  top: { summary: 'a live table per route: requests/s, success rate, p50/p99, top error codes (from the plane)', load: async () => ({ command: (await import('../plane/cli/top-command.ts')).topCommand }) },
  policy: { summary: 'authorization policies on the plane: list | get SERVICE | delete SERVICE', load: async () => ({ group: (await import('../plane/cli/policy-command.ts')).policyCommands }) },
  identity: { summary: 'workload identity: token --service NAME (a one-time join token for a proxy)', load: async () => ({ group: (await import('../plane/cli/ca-command.ts')).identityCommands }) },
  ca: { summary: "the plane's certificate authority: status | rotate | retire", load: async () => ({ group: (await import('../plane/cli/ca-command.ts')).caCommands }) },
  explain: { summary: 'why a request got its answer: its story at every sidecar it crossed (explain REQUEST_ID)', load: async () => ({ command: (await import('../plane/cli/explain-command.ts')).explainCommand }) },
  requests: { summary: "the newest requests of a service's sidecars, each with its ID to explain", load: async () => ({ command: (await import('../plane/cli/explain-command.ts')).requestsCommand }) },
  rollout: { summary: 'filter rollouts by share of requests: start NAME@V | status | abort', load: async () => ({ group: (await import('../plane/cli/rollout-command.ts')).rolloutCommands }) },
  bench: { summary: 'the load benchmark: direct, nginx and weft side by side', load: () => import('../bench/run.ts') },
  version: { summary: "Weft's version and commit, Node's, and the proxy-wasm ABI versions served", load: async () => ({ command: (await import('./version.ts')).versionCommand }) },
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((n) => n.length));
  const rows = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    'usage: weft COMMAND [options]',
    '',
    'A service mesh whose proxies run proxy-wasm filters.',
    '',
    'commands:',
    ...rows,
    `  ${'help'.padEnd(width)}  help COMMAND [SUBCOMMAND]: the usage and options of one command`,
    '',
    'options of every command:',
    '  --help, -h      its usage and options',
    '  --debug         on a failure, print its stack trace after the one-line error (env WEFT_DEBUG=1)',
    '',
    '`weft --version` is `weft version`; `weft help COMMAND` is `weft COMMAND --help`.',
  ].join('\n');
}

const isHelp = (arg: string | undefined) => arg === '--help' || arg === '-h';

/** Runs argv; `running` names the command as soon as it is known, for the failure line. */
async function run(argv: string[], running: { command: string }): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) throw usageError('give a command (weft help lists them)');
  if (name === 'help' || isHelp(name)) {
    if (rest.length === 0) {
      console.log(usage());
      return 0;
    }
    return run([...rest, '--help'], running);
  }
  if (name === '--version') return run(['version', ...rest], running);
  if (!Object.hasOwn(commands, name)) {
    const guess = closestName(name, Object.keys(commands));
    throw usageError(`unknown command "${name}"; ${guess ? `did you mean "${guess}"?` : 'weft help lists them'}`);
  }
  running.command = name;
  const loaded = await commands[name].load();
  if ('main' in loaded) return (await loaded.main(rest)) ?? 0;
  if ('command' in loaded) return runCommand(loaded.command, rest);
  const [subName, ...subArgv] = rest;
  if (isHelp(subName)) {
    console.log(groupHelp(name, commands[name].summary, loaded.group));
    return 0;
  }
  const sub = findSubcommand(name, loaded.group, subName);
  running.command = `${name} ${subName}`;
  return runCommand(sub, subArgv);
}

const argv = process.argv.slice(2);
const debug = debugRequested(argv, process.env);
// --debug is the dispatcher's: taken out before the command sees its arguments (up to a `--`, after which all is the command's).
const end = argv.indexOf('--');
const args = argv.filter((a, i) => a !== '--debug' || (end >= 0 && i > end));
const running = { command: '' };
const fail = (err: unknown) => {
  process.exitCode = reportFailure(running.command, err, debug);
};
// Work a command left running (a listener's error, a timer) fails the same way as its start, then ends the process:
// state after an unforeseen throw is not trusted to keep serving.
process.on('uncaughtException', (err) => {
  fail(err);
  process.exit();
});
process.on('unhandledRejection', (err) => {
  fail(err);
  process.exit();
});
run(args, running).then((code) => {
  if (code !== 0) process.exitCode = code;
}, fail);
