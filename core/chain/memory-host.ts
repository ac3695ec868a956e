// An in-memory StreamHost that records what leaves the chain: for tests and the SDK's filter test harness.
import type { Direction, HeaderList, PropertyValue, StreamHost } from '../wasm/stream-host.ts';

export class MemoryStreamHost implements StreamHost {
  requestHeaders: HeaderList;
  requestTrailers: HeaderList | null = null;
  responseHeaders: HeaderList | null = null;
  responseTrailers: HeaderList | null = null;
  /** Properties by dotted path ("source.address"). */
  readonly properties: Map<string, PropertyValue>;
  /** Per direction: headers forwarded (and with end of stream), body chunks, trailers forwarded. */
  readonly headersSent: [boolean, boolean] = [false, false];
  readonly bodies: [Uint8Array[], Uint8Array[]] = [[], []];
  readonly ended: [boolean, boolean] = [false, false];
  readonly trailersSent: [boolean, boolean] = [false, false];
  local: { status: number; details: string } | null = null;
  resetReason: string | null = null;
  /** Every call in order, e.g. "headers:0", "body:1:5:eos", "local:403", "reset". */
  readonly events: string[] = [];

  constructor(requestHeaders: HeaderList, properties: Record<string, PropertyValue> = {}) {
    this.requestHeaders = requestHeaders;
    this.properties = new Map(Object.entries(properties));
  }

  property(path: readonly string[]): PropertyValue | undefined {
    return this.properties.get(path.join('.'));
  }

  headersDone(direction: Direction, endOfStream: boolean): void {
    this.headersSent[direction] = true;
    if (endOfStream) this.ended[direction] = true;
    this.events.push(`headers:${direction}${endOfStream ? ':eos' : ''}`);
  }

  bodyData(direction: Direction, chunk: Uint8Array, endOfStream: boolean): void {
    this.bodies[direction].push(chunk);
    if (endOfStream) this.ended[direction] = true;
    this.events.push(`body:${direction}:${chunk.length}${endOfStream ? ':eos' : ''}`);
  }

  trailersDone(direction: Direction): void {
    this.trailersSent[direction] = true;
    this.ended[direction] = true;
    this.events.push(`trailers:${direction}`);
  }

  localReply(status: number, details: string): void {
    this.local = { status, details };
    this.events.push(`local:${status}`);
  }

  reset(reason: string): void {
    this.resetReason = reason;
    this.events.push('reset');
  }

  /** The body forwarded in a direction, as text. */
  bodyText(direction: Direction): string {
    return Buffer.concat(this.bodies[direction]).toString('utf8');
  }

  header(direction: Direction, name: string): string | undefined {
    const list = direction === 0 ? this.requestHeaders : this.responseHeaders;
    return list?.find((pair) => pair[0] === name)?.[1];
  }
}
