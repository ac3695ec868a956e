#!/usr/bin/env node
// The `weft` command: dispatches each subcommand to the module that owns it, loaded on demand.
import { WeftError } from '../core/errors.ts';

type Command = { summary: string; load: () => Promise<{ main: (argv: string[]) => Promise<number | void> }> };

const commands: Record<string, Command> = {
  proxy: { summary: 'run the data-plane proxy', load: () => import('../core/cli/proxy-command.ts') },
  schema: { summary: 'print the JSON Schema of the proxy config file', load: () => import('../core/cli/schema-command.ts') },
  demo: { summary: 'run a mesh on loopback: plane, three services with mTLS sidecars, filters, traffic, a live table', load: () => import('./demo/command.ts') },
  // push, list, rollback and delete talk to the plane's registry; the SDK's tools own the rest.
  filter: { summary: 'filters: new NAME | build DIR | test DIR | inspect FILE; push NAME FILE --version V | list | rollback NAME | delete NAME@V', load: async () => {
    const registry = await import('../plane/cli/filter-command.ts');
    return { main: async (argv) => (registry.REGISTRY_SUBCOMMANDS.includes(argv[0]) ? registry : await import('../sdk/tools/filter-command.ts')).main(argv) };
  } },
  plane: { summary: 'run the control plane (SQLite by default, etcd for replicas)', load: () => import('../plane/cli/plane-command.ts') },
  apply: { summary: 'apply mesh config (routes, clusters, filter chains) or an AuthorizationPolicy to the plane: apply -f FILE', load: () => import('../plane/cli/mesh-command.ts').then((m) => ({ main: m.applyMain })) },
  get: { summary: 'print mesh resources from the plane: get routes|clusters|filters|policies', load: () => import('../plane/cli/mesh-command.ts').then((m) => ({ main: m.getMain })) },
  service: { summary: 'service registry: register | heartbeat | deregister | list', load: () => import('../plane/cli/service-command.ts') },
  status: { summary: 'every proxy: config and filter versions, ACK/NACK with the error, lag', load: () => import('../plane/cli/status-command.ts') },
  policy: { summary: 'authorization policies on the plane: list | get SERVICE | delete SERVICE', load: () => import('../plane/cli/policy-command.ts') },
  identity: { summary: 'workload identity: token --service NAME (a one-time join token for a proxy)', load: () => import('../plane/cli/ca-command.ts').then((m) => ({ main: m.identityMain })) },
  ca: { summary: "the plane's certificate authority: status | rotate | retire", load: () => import('../plane/cli/ca-command.ts').then((m) => ({ main: m.caMain })) },
  rollout: { summary: 'filter rollouts by share of requests: start NAME@V | status | abort', load: () => import('../plane/cli/rollout-command.ts') },
  bench: { summary: 'the load benchmark: direct, nginx and weft side by side', load: () => import('../bench/run.ts') },
};

function usage(): string {
  const lines = ['usage: weft <command> [options]', '', 'commands:'];
  for (const [name, c] of Object.entries(commands)) lines.push(`  ${name.padEnd(10)} ${c.summary}`);
  lines.push('', 'Run `weft <command> --help` for the options of one command.');
  return lines.join('\n');
}

async function run(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    console.error(`weft: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  const mod = await command.load();
  return (await mod.main(rest)) ?? 0;
}

run(process.argv.slice(2)).then(
  (code) => { if (code !== 0) process.exitCode = code; },
  (err: unknown) => {
    if (err instanceof WeftError) {
      console.error(`weft: ${err.message} (${err.code})`);
      process.exitCode = err.exitCode;
    } else {
      console.error(err);
      process.exitCode = 1;
    }
  },
);
