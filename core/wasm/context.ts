// A VM's contexts: a root context per plugin (config, tick timer) and a stream context per request per filter.
import type { StreamSink } from './stream-host.ts';

export interface PluginConfig {
  /** Filter name (`plugin_name`). */
  name: string;
  /** Root id the module dispatches on (`plugin_root_id`); default the name. */
  rootId?: string;
  config?: string | Uint8Array;
}

export class RootContext {
  readonly id: number;
  readonly name: string;
  readonly rootId: string;
  readonly config: Uint8Array;
  tickTimer: NodeJS.Timeout | null = null;
  constructor(id: number, name: string, rootId: string, config: Uint8Array) {
    this.id = id;
    this.name = name;
    this.rootId = rootId;
    this.config = config;
  }
}

export class StreamContext {
  readonly id: number;
  readonly root: RootContext;
  readonly sink: StreamSink;
  /** Its slot among the VM's live streams; -1 once deleted. */
  slot = -1;
  constructor(id: number, root: RootContext, sink: StreamSink) {
    this.id = id;
    this.root = root;
    this.sink = sink;
  }
}

export type Context = RootContext | StreamContext;
