// Example filter: adds a configured header to every request and a marker header to every response.
import {
  Action, Counter, HttpContext, RootContext, describeFilter, logWarn, parseJson, requestHeaders, responseHeaders,
  setRootContext,
} from "../../../assembly/index";
export * from "../../../assembly/abi/exports";

describeFilter("add-header", "1.0.0", `{
  "type": "object",
  "properties": {
    "name": { "type": "string", "pattern": "^[a-z0-9-]+$", "description": "request header to add" },
    "value": { "type": "string", "description": "its value" }
  },
  "required": ["name", "value"],
  "additionalProperties": false
}`);

const requestsSeen = new Counter("add_header_requests_total");

class AddHeaderRoot extends RootContext {
  headerName: string = "";
  headerValue: string = "";

  onConfigure(configuration: string): bool {
    const config = parseJson(configuration);
    if (config === null) {
      logWarn("add-header: configuration is not JSON");
      return false;
    }
    this.headerName = config.getString("name");
    this.headerValue = config.getString("value");
    return this.headerName.length > 0;
  }

  createHttpContext(contextId: u32): HttpContext {
    return new AddHeader(contextId, this);
  }
}

class AddHeader extends HttpContext {
  constructor(contextId: u32, public readonly config: AddHeaderRoot) {
    super(contextId, config);
  }

  onRequestHeaders(_headerCount: u32, _endOfStream: bool): Action {
    requestHeaders.set(this.config.headerName, this.config.headerValue);
    requestsSeen.increment();
    return Action.Continue;
  }

  onResponseHeaders(_headerCount: u32, _endOfStream: bool): Action {
    responseHeaders.add("x-filtered-by", "add-header");
    return Action.Continue;
  }
}

setRootContext((contextId: u32): RootContext => new AddHeaderRoot(contextId));
