// `weft proxy`: reads flags, env twins and the config file, then hands the settings to the supervisor.
import { flagsHelp, parseFlags } from './flags.ts';
import type { FlagSpec } from './flags.ts';
import { resolveProxySettings } from '../config/resolve.ts';
import { startSupervisor } from '../proxy/supervisor.ts';
import os from 'node:os';
import { ErrorCodes, WeftError } from '../errors.ts';
import { resolveSidecar } from '../config/sidecar.ts';
import { APP_PROTOCOLS } from '../config/settings.ts';
import { LOG_LEVELS } from '../config/schema.ts';
import { TOKEN_FLAGS, tokenOption } from './token.ts';
import { dataDirPath, openDataDir } from '../state/data-dir.ts';

export const proxyFlags: FlagSpec[] = [
  { name: 'listen', value: 'HOST:PORT', help: 'address the proxy accepts traffic on (port 0 picks a free one)' },
  { name: 'upstream', value: 'URL', multiple: true, help: 'an upstream endpoint http://HOST:PORT or https://HOST[:PORT] (verified against the system trust store); shorthand for one cluster and a catch-all route' },
  { name: 'config', value: 'FILE', help: 'YAML or JSON config file (see `weft schema`)' },
  { name: 'workers', value: 'N', help: 'worker threads, each with its own listener and upstream pools; 1 serves on the main thread (one isolate, less memory)', defaultText: `cores (${os.availableParallelism()}); 1 for a sidecar (--service)` },
  { name: 'admin', value: 'HOST:PORT', help: 'admin server: /ready /metrics /config; "off" disables it', defaultText: '127.0.0.1:9901' },
  { name: 'log-level', value: 'LEVEL', choices: LOG_LEVELS, help: 'how much the JSON log on stderr says', defaultText: 'info' },
  { name: 'access-log', value: 'PATH', help: 'access log: off, stdout or a file path', defaultText: 'off' },
  { name: 'no-request-stories', help: 'keep no request stories: `weft explain` and `weft requests` get nothing from this proxy (bench/README.md measures what they cost)' },
  { name: 'no-traffic-counts', help: 'count no requests: no request series on /metrics and empty summaries to the plane (`weft top`, the dashboard); bench/README.md measures what they cost' },
  { name: 'drain-timeout', value: 'DURATION', help: 'on SIGTERM/SIGINT, how long in-flight requests may finish', defaultText: '15s' },
  { name: 'filter', value: 'SPEC', multiple: true, envSeparator: ';', help: 'add a filter: PATH.wasm|NAME[@CONFIG.json][,root=ID][,vm=ID][,name=NAME][,fail=closed|open|reload][,config=TEXT|@FILE] (config last)' },
  { name: 'filter-fuel', value: 'N', help: 'fuel each filter callback may spend; a runaway callback traps', defaultText: '10000000' },
  { name: 'filter-memory', value: 'SIZE', help: 'memory cap per filter instance', defaultText: '64MiB' },
  { name: 'plane', value: 'URL[,URL]', help: 'take routes, clusters and filters from a control plane; several URLs fail over' },
  { name: 'node', value: 'NAME', help: 'this proxy\'s name towards the plane', defaultText: 'the host name' },
  { name: 'takeover', help: 'take the listen and admin addresses over from the weft proxy serving them, losing no request (an upgrade): both serve until this one is ready, then that one drains and exits 0; with none serving them, start as usual' },
  { name: 'data-dir', value: 'DIR', help: 'where the handover socket, the last good snapshot, the module cache and the identity live (0700)', defaultText: '$XDG_STATE_HOME/weft/proxy/NODE, else ~/.local/state/weft/proxy/NODE' },
  ...TOKEN_FLAGS,
  { name: 'join-token', value: 'TOKEN', help: 'one-time join token (weft identity token): the listener serves mTLS with this workload\'s certificate; needs --plane' },
  { name: 'service', value: 'NAME', help: 'run as this service\'s sidecar (needs --plane, --join-token, --inbound, --app)' },
  { name: 'namespace', value: 'NS', help: 'the sidecar\'s namespace (its SPIFFE ID is spiffe://DOMAIN/ns/NS/sa/SERVICE)', defaultText: 'default' },
  { name: 'inbound', value: 'HOST:PORT', help: 'sidecar: the mTLS listener other sidecars call; requests go to --app' },
  { name: 'app', value: 'HOST:PORT', help: 'sidecar: the local service, spoken to in plain text (cleartext HTTP/1.1 or h2c, or raw TCP)' },
  { name: 'app-protocol', value: 'PROTO', choices: APP_PROTOCOLS, help: 'sidecar: what the app speaks: http1, http2 (h2c: gRPC servers), auto (h2c for gRPC calls, HTTP/1.1 for the rest) or tcp (opaque bytes, which callers reach through their --bind port)', defaultText: 'the service\'s protocol in the registry, else auto' },
  { name: 'outbound', value: 'HOST:PORT', help: 'sidecar: plain-HTTP listener for the app; the Host header names the service to call' },
  { name: 'bind', value: 'SERVICE=HOST:PORT', multiple: true, help: 'sidecar: a local port that always calls SERVICE' },
  { name: 'permissive', help: 'sidecar: the inbound listener also accepts plain text (callers without an identity), for migration' },
  { name: 'chain', value: 'SIDE', help: 'sidecar: where the filter chain runs: inbound, outbound or both', defaultText: 'inbound' },
  { name: 'trust-key', value: 'FILE', multiple: true, help: 'ed25519 public key (PEM); with one, only modules signed by a trusted key run' },
];

export async function main(argv: string[]): Promise<number> {
  const { values } = parseFlags(proxyFlags, argv, process.env);
  if (values.help) {
    console.log(flagsHelp('usage: weft proxy --listen HOST:PORT (--upstream URL... | --config FILE | --plane URL --node NAME) [options]\n       weft proxy --plane URL --join-token TOKEN --service NAME --inbound HOST:PORT --app HOST:PORT [--outbound HOST:PORT] [options]\n\nproxy HTTP to upstream clusters through a chain of proxy-wasm filters; routes and filters from flags, a config file or a control plane', proxyFlags));
    return 0;
  }
  const str = (k: string) => values[k] as string | undefined;
  const overrides = {
    listen: str('listen'),
    upstream: values.upstream as string[] | undefined,
    config: str('config'),
    workers: str('workers'),
    admin: str('admin'),
    logLevel: str('log-level'),
    accessLog: str('access-log'),
    noRequestStories: values['no-request-stories'] as boolean | undefined,
    noTrafficCounts: values['no-traffic-counts'] as boolean | undefined,
    drainTimeout: str('drain-timeout'),
    filter: values.filter as string[] | undefined,
    filterFuel: str('filter-fuel'),
    filterMemory: str('filter-memory'),
  };
  const plane = str('plane');
  const joinToken = str('join-token');
  const sidecar = resolveSidecar({
    service: str('service'), namespace: str('namespace'), inbound: str('inbound'), listen: str('listen'), app: str('app'),
    appProtocol: str('app-protocol'), outbound: str('outbound'), bind: values.bind as string[] | undefined, permissive: values.permissive as boolean | undefined,
    chain: str('chain'), plane, joinToken,
  });
  if (sidecar) overrides.listen = str('inbound') ?? overrides.listen;
  // YAML and the schema validator load only for a config file.
  const loadFile = overrides.config ? (await import('../config/config-file.ts')).loadConfigFile : undefined;
  const settings = resolveProxySettings({ ...overrides, fromPlane: plane !== undefined, sidecar: sidecar !== undefined }, loadFile);
  if (sidecar) settings.sidecar = sidecar.sidecar;
  if (joinToken !== undefined && !plane) throw new WeftError(ErrorCodes.USAGE, '--join-token needs --plane (the plane issues the certificate)', 2);
  if (joinToken !== undefined && settings.tls) throw new WeftError(ErrorCodes.USAGE, '--join-token and tls in the config both set the listener\'s certificate: keep one', 2);
  const node = str('node') ?? os.hostname();
  // The node names the default data dir and a path in the plane's API.
  if (!/^[A-Za-z0-9_.-]+$/.test(node) || node === '.' || node === '..') throw new WeftError(ErrorCodes.USAGE, `--node: letters, digits, ".", "-" and "_", got "${node}"`, 2);
  const dataDir = openDataDir(dataDirPath(str('data-dir'), ['proxy', node]));
  const takeover = values.takeover === true;
  if (!plane) return startSupervisor(settings, { dataDir, takeover, reload: loadFile ? () => resolveProxySettings(overrides, loadFile) : undefined });
  const planes = plane.split(',').map((p) => p.trim()).filter(Boolean);
  const token = tokenOption(values, process.env);
  // The plane's client and the identity's X.509 code load only for a proxy that has a plane.
  const [{ feedFromPlane }, { IdentityManager }] = await Promise.all([import('../proxy/plane-feed.ts'), import('../identity/manager.ts')]);
  return startSupervisor(settings, {
    dataDir,
    takeover,
    identity: joinToken === undefined ? undefined : (log) => new IdentityManager({ planes, dataDir, joinToken, log }),
    feed: (sup, log) => feedFromPlane(sup, log, {
      planes,
      node,
      dataDir,
      token,
      trustKeyFiles: (values['trust-key'] as string[] | undefined) ?? [],
      workload: sidecar && { service: sidecar.sidecar.service, namespace: sidecar.namespace },
    }),
  });
}
