// The sidecar flags (--service, --inbound, --app, --app-protocol, --outbound, --bind, --permissive, --chain) checked and turned into SidecarSettings.
import { ErrorCodes, WeftError } from '../errors.ts';
import { APP_PROTOCOLS, parseHostPort } from './settings.ts';
import type { AppProtocol, ChainSide, HostPort, SidecarSettings } from './settings.ts';

export interface SidecarFlags {
  service?: string;
  namespace?: string;
  inbound?: string;
  listen?: string;
  app?: string;
  appProtocol?: string;
  outbound?: string;
  bind?: string[];
  permissive?: boolean;
  chain?: string;
  plane?: string;
  joinToken?: string;
}

/** A service name as the plane's registry and SPIFFE IDs take it. */
const NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const SIDES: ChainSide[] = ['inbound', 'outbound', 'both'];
const SIDECAR_ONLY = ['namespace', 'inbound', 'app', 'appProtocol', 'outbound', 'bind', 'permissive', 'chain'] as const;
/** The flag each SidecarFlags field comes from. */
const flagName = (field: string) => field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

const usage = (message: string) => new WeftError(ErrorCodes.USAGE, message, 2);

function hostPort(flag: string, text: string): HostPort {
  const hp = parseHostPort(text);
  if (!hp) throw usage(`--${flag}: expected HOST:PORT, got "${text}"`);
  return hp;
}

/** Undefined without --service (a plain proxy); a usage error names the flag that is missing or malformed. */
export function resolveSidecar(f: SidecarFlags): { sidecar: SidecarSettings; namespace: string } | undefined {
  if (f.service === undefined) {
    const stray = SIDECAR_ONLY.find((k) => f[k] !== undefined && f[k] !== false && !(Array.isArray(f[k]) && f[k].length === 0));
    if (stray) throw usage(`--${flagName(stray)} is a sidecar flag: give --service NAME too`);
    return undefined;
  }
  if (!NAME.test(f.service)) throw usage(`--service: expected a service name (lower-case letters, digits, dashes), got "${f.service}"`);
  const namespace = f.namespace ?? 'default';
  if (!NAME.test(namespace)) throw usage(`--namespace: expected a namespace name, got "${namespace}"`);
  if (!f.plane || f.joinToken === undefined) throw usage('--service makes a sidecar: it needs --plane and --join-token (its identity and the registry come from the plane)');
  if (f.inbound !== undefined && f.listen !== undefined) throw usage('--inbound and --listen name the same listener: give one');
  if (f.inbound === undefined && f.listen === undefined) throw usage('--inbound HOST:PORT is required: where other sidecars reach this service');
  if (f.app === undefined) throw usage('--app HOST:PORT is required: where the local service listens');
  const app = hostPort('app', f.app);
  if (f.appProtocol !== undefined && !APP_PROTOCOLS.includes(f.appProtocol as AppProtocol)) {
    throw usage(`--app-protocol: expected one of ${APP_PROTOCOLS.join(', ')}, got "${f.appProtocol}"`);
  }
  const chain = (f.chain ?? 'inbound') as ChainSide;
  if (!SIDES.includes(chain)) throw usage(`--chain: expected inbound, outbound or both, got "${f.chain}"`);
  const binds = (f.bind ?? []).map((b) => {
    const m = /^([^=]+)=(.+)$/.exec(b);
    if (!m || !NAME.test(m[1])) throw usage(`--bind: expected SERVICE=HOST:PORT, got "${b}"`);
    return { service: m[1], listen: hostPort('bind', m[2]) };
  });
  const sidecar: SidecarSettings = {
    service: f.service,
    app: `http://${app.host.includes(':') ? `[${app.host}]` : app.host}:${app.port}`,
    binds,
    permissive: f.permissive === true,
    chain,
  };
  if (f.appProtocol !== undefined) sidecar.appProtocol = f.appProtocol as AppProtocol;
  if (f.outbound !== undefined) sidecar.outbound = hostPort('outbound', f.outbound);
  return { sidecar, namespace };
}
