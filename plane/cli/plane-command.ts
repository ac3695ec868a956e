// `weft plane`: runs one control-plane replica on a SQLite file (default) or on etcd shared with other replicas; `weft plane token` prints its API token.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '../../core/cli/command.ts';
import type { Command } from '../../core/cli/command.ts';
import { durationFlag, flagsHelp, parseFlags, usageError } from '../../core/cli/flags.ts';
import type { FlagSpec } from '../../core/cli/flags.ts';
import { LOG_LEVELS } from '../../core/config/schema.ts';
import { parseHostPort } from '../../core/config/settings.ts';
import { ErrorCodes, WeftError } from '../../core/errors.ts';
import { TRUST_DOMAIN_PATTERN } from '../../core/identity/spiffe.ts';
import { createLogger } from '../../core/observe/log.ts';
import { dataDirPath, openDataDir } from '../../core/state/data-dir.ts';
import { Authority } from '../ca/authority.ts';
import { Plane } from '../plane.ts';
import { PlaneServer } from '../server.ts';
import { openStore } from '../store/open.ts';
import type { Store } from '../store/store.ts';
import { loadToken } from '../token.ts';

const DATA_DIR_FLAG: FlagSpec = {
  name: 'data-dir', value: 'DIR', help: 'the SQLite file, the generated token and the CA keys live here (0700)',
  defaultText: '$XDG_STATE_HOME/weft/plane, else ~/.local/state/weft/plane',
};

const FLAGS: FlagSpec[] = [
  { name: 'listen', value: 'HOST:PORT', help: 'where the plane API listens (port 0 picks one; see the ready line)', defaultText: '127.0.0.1:7900' },
  { name: 'store', value: 'sqlite:FILE|etcd:URL', help: 'where state lives; etcd lets several replicas serve one mesh', defaultText: 'sqlite:<data-dir>/plane.db' },
  { name: 'advertise', value: 'URL', help: 'where the other replicas reach this one\'s API, written to the store so that stats, weft requests and weft explain cover every replica\'s proxies', defaultText: 'http://<listen host>:<port> (this host\'s name when listening on all addresses)' },
  DATA_DIR_FLAG,
  { name: 'token-file', value: 'FILE', help: 'a file holding the API token every call but /healthz, /metrics, join and renewal needs (`weft plane token` prints the generated one)', defaultText: '<data-dir>/token, generated 0600 at first start' },
  { name: 'trust-domain', value: 'NAME', help: 'the SPIFFE trust domain of workload certificates (spiffe://NAME/ns/NS/sa/SERVICE)', defaultText: 'weft.local' },
  { name: 'ca-cert', value: 'FILE', help: 'PEM: the CA certificate that signs workload certificates, then any intermediates, ending with the root', defaultText: 'a root generated at first start in <data-dir>/ca' },
  { name: 'ca-key', value: 'FILE', help: "PEM: the --ca-cert signing certificate's private key" },
  { name: 'cert-ttl', value: 'DURATION', help: 'lifetime of workload certificates; proxies renew at about two thirds of it', defaultText: '24h' },
  { name: 'node-ttl', value: 'DURATION', help: 'how long a proxy that stopped watching stays in weft status before it is forgotten', defaultText: '1h' },
  { name: 'stats-window', value: 'DURATION', help: 'how long the proxies\' traffic reports are kept in memory for GET /v1/stats and weft top', defaultText: '15m' },
  { name: 'report-interval', value: 'DURATION', help: 'how often proxies post their traffic summary (sent to them in the snapshot)', defaultText: '5s' },
  { name: 'log-level', value: 'LEVEL', choices: LOG_LEVELS, help: 'how much the JSON log on stderr says', defaultText: 'info' },
];

const USAGE = 'usage: weft plane --listen HOST:PORT [--store sqlite:FILE | etcd:URL] [--advertise URL] [--data-dir DIR] [--token-file FILE] [--trust-domain NAME] [--ca-cert FILE --ca-key FILE] [--cert-ttl 24h] [--node-ttl 1h] [--stats-window 15m] [--report-interval 5s]\n       weft plane token [--data-dir DIR]';
/** Certificates shorter than this leave no room to renew at two thirds of their life over a real network. */
const MIN_CERT_TTL_MS = 3000;
/** Reports more often than this cost the proxies and the plane more than a live view needs. */
const MIN_REPORT_INTERVAL_MS = 100;

/** `weft plane token`: the token of the plane whose data dir this is (the same default), on stdout alone. */
const tokenCommand: Command = {
  usage: 'weft plane token [--data-dir DIR]',
  summary: 'print the API token a plane generated in its data dir, for client commands: export WEFT_TOKEN=$(weft plane token)',
  args: [],
  flags: [DATA_DIR_FLAG],
  async run(_positionals, values) {
    const dir = dataDirPath(values['data-dir'] as string | undefined, ['plane']);
    let token: string;
    try {
      token = readFileSync(join(dir, 'token'), 'utf8').trim();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new WeftError(ErrorCodes.DATA_DIR, `cannot read ${join(dir, 'token')}: ${(err as Error).message}`);
      throw new WeftError(ErrorCodes.DATA_DIR, `no token in ${dir}: a plane makes one at its first start (weft plane${values['data-dir'] === undefined ? '' : ' --data-dir DIR'})`);
    }
    console.log(token);
    return 0;
  },
};

export async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'token') return runCommand(tokenCommand, argv.slice(1));
  const { values, positionals } = parseFlags(FLAGS, argv, process.env);
  if (values.help) {
    console.log(flagsHelp(`${USAGE}\n\nrun a control plane: the filter registry, mesh config, service registry, rollouts and the mesh's CA, behind one HTTP API`, FLAGS));
    return 0;
  }
  if (positionals.length) throw usageError(`weft plane takes no arguments, got "${positionals.join(' ')}"`);
  const listen = parseHostPort(String(values.listen ?? '127.0.0.1:7900'));
  if (!listen) throw usageError(`--listen: expected HOST:PORT, got "${String(values.listen)}"`);
  const dataDir = openDataDir(dataDirPath(values['data-dir'] as string | undefined, ['plane']));
  const log = createLogger(String(values['log-level'] ?? 'info'), { component: 'plane' });
  const { token, file: tokenFile } = loadToken(values['token-file'] as string | undefined, dataDir);
  const trustDomain = String(values['trust-domain'] ?? 'weft.local');
  if (!TRUST_DOMAIN_PATTERN.test(trustDomain)) throw usageError(`--trust-domain: lowercase letters, digits, ".", "-" and "_", got "${trustDomain}"`);
  const certTtlMs = durationFlag(values['cert-ttl'] as string | undefined, 'cert-ttl') ?? 24 * 3600_000;
  if (certTtlMs < MIN_CERT_TTL_MS) throw usageError(`--cert-ttl: at least ${MIN_CERT_TTL_MS / 1000}s`);
  const nodeTtlMs = durationFlag(values['node-ttl'] as string | undefined, 'node-ttl');
  if (nodeTtlMs === 0) throw usageError('--node-ttl: above 0');
  const statsWindowMs = durationFlag(values['stats-window'] as string | undefined, 'stats-window');
  const reportIntervalMs = durationFlag(values['report-interval'] as string | undefined, 'report-interval');
  if (reportIntervalMs !== undefined && reportIntervalMs < MIN_REPORT_INTERVAL_MS) throw usageError(`--report-interval: at least ${MIN_REPORT_INTERVAL_MS}ms`);
  if (statsWindowMs !== undefined && statsWindowMs < Math.max(10_000, 2 * (reportIntervalMs ?? 0))) throw usageError('--stats-window: at least 10s and two report intervals');
  const advertised = values.advertise as string | undefined;
  if (advertised !== undefined && !/^https?:\/\/[^/]+$/.test(advertised)) throw usageError(`--advertise: expected http://HOST:PORT, got "${advertised}"`);
  // Bound first: a port in use must stop start-up before the store is opened or a CA root or snapshot is published.
  const http = new PlaneServer();
  const port = await http.listen(listen.host, listen.port);
  const url = `http://${listen.host.includes(':') ? `[${listen.host}]` : listen.host}:${port}`;
  const everywhere = listen.host === '0.0.0.0' || listen.host === '::';
  let store: Store | undefined;
  let plane: Plane | undefined;
  try {
    store = await openStore(values.store as string | undefined, dataDir);
    const ca = await Authority.open({
      dataDir, trustDomain, certTtlMs, certFile: values['ca-cert'] as string | undefined, keyFile: values['ca-key'] as string | undefined, store,
    });
    const advertise = { url: advertised ?? (everywhere ? `http://${hostname()}:${port}` : url), token };
    plane = new Plane(store, log, ca, { nodeTtlMs, statsWindowMs, reportIntervalMs, advertise });
    await plane.start();
  } catch (err) {
    await plane?.close();
    await store?.close();
    http.close();
    throw err;
  }
  http.serve(plane, token);
  log.info({ url, store: store.description, tokenFile, trustDomain, roots: plane.ca.status().roots.map((r) => r.fingerprint), version: plane.snapshot.version }, 'weft plane ready');

  const stop = async () => {
    log.info('weft plane stopping');
    await plane.close();
    http.close();
    await store.close();
  };
  await new Promise<void>((done) => {
    const onSignal = () => { stop().then(done, done); };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
  return 0;
}
