// Example filter: answers 403 locally, without calling the upstream, when a request carries a configured header.
import {
  Action, Counter, HeaderPair, HttpContext, RootContext, describeFilter, logInfo, parseJson, requestHeaders,
  sendLocalResponse, setRootContext,
} from "../../../assembly/index";
export * from "../../../assembly/abi/exports";

describeFilter("deny-by-header", "1.0.0", `{
  "type": "object",
  "properties": {
    "header": { "type": "string", "description": "request header that triggers the denial" },
    "values": { "type": "array", "items": { "type": "string" }, "description": "deny only these values; empty denies any value" },
    "status": { "type": "integer", "minimum": 400, "maximum": 599, "default": 403 },
    "body": { "type": "string", "default": "denied\\n" }
  },
  "required": ["header"],
  "additionalProperties": false
}`);

const denied = new Counter("deny_by_header_denied_total");

class DenyRoot extends RootContext {
  header: string = "";
  values: string[] = [];
  status: u32 = 403;
  body: string = "denied\n";

  onConfigure(configuration: string): bool {
    const config = parseJson(configuration);
    if (config === null) return false;
    this.header = config.getString("header").toLowerCase();
    this.values = config.getStringArray("values");
    this.status = <u32>config.getNumber("status", 403);
    this.body = config.getString("body", "denied\n");
    return this.header.length > 0;
  }

  createHttpContext(contextId: u32): HttpContext {
    return new DenyByHeader(contextId, this);
  }

  matches(value: string): bool {
    return this.values.length == 0 || this.values.includes(value);
  }
}

class DenyByHeader extends HttpContext {
  constructor(contextId: u32, public readonly config: DenyRoot) {
    super(contextId, config);
  }

  onRequestHeaders(_headerCount: u32, _endOfStream: bool): Action {
    const value = requestHeaders.get(this.config.header);
    if (value === null || !this.config.matches(value)) return Action.Continue;
    denied.increment();
    logInfo("deny-by-header: denied a request with " + this.config.header + ": " + value);
    sendLocalResponse(this.config.status, this.config.body, [new HeaderPair("content-type", "text/plain")], "denied_by_header");
    return Action.Pause;
  }
}

setRootContext((contextId: u32): RootContext => new DenyRoot(contextId));
