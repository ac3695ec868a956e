// Example filter: asks an authorization service over HTTP before letting a request through (external auth).
import {
  Action, Context, HeaderPair, HttpCallResponse, HttpContext, RootContext, Status, describeFilter, logWarn, parseJson,
  requestHeaders, resumeHttpRequest, sendLocalResponse, setRootContext,
} from "../../../assembly/index";
export * from "../../../assembly/abi/exports";

describeFilter("http-auth", "1.0.0", `{
  "type": "object",
  "properties": {
    "cluster": { "type": "string", "description": "cluster of the authorization service" },
    "path": { "type": "string", "default": "/check" },
    "timeoutMs": { "type": "integer", "minimum": 1, "default": 500 }
  },
  "required": ["cluster"],
  "additionalProperties": false
}`);

const plainText = [new HeaderPair("content-type", "text/plain")];

class AuthRoot extends RootContext {
  cluster: string = "";
  path: string = "/check";
  timeoutMs: u32 = 500;

  onConfigure(configuration: string): bool {
    const config = parseJson(configuration);
    if (config === null) return false;
    this.cluster = config.getString("cluster");
    this.path = config.getString("path", "/check");
    this.timeoutMs = <u32>config.getNumber("timeoutMs", 500);
    return this.cluster.length > 0;
  }

  createHttpContext(contextId: u32): HttpContext {
    return new HttpAuth(contextId, this);
  }
}

// A plain function, not a closure: AssemblyScript has none, so the context comes back as `origin`.
function onAuthAnswer(origin: Context, response: HttpCallResponse): void {
  const stream = changetype<HttpAuth>(origin);
  if (response.failed) {
    logWarn("http-auth: " + stream.config.cluster + " did not answer");
    sendLocalResponse(503, "authorization service unavailable\n", plainText, "auth_unavailable");
    return;
  }
  if (response.statusCode != 200) {
    sendLocalResponse(403, "forbidden\n", plainText, "auth_denied");
    return;
  }
  const user = response.header("x-user");
  if (user !== null) requestHeaders.set("x-auth-user", user);
  resumeHttpRequest();
}

class HttpAuth extends HttpContext {
  constructor(contextId: u32, public readonly config: AuthRoot) {
    super(contextId, config);
  }

  onRequestHeaders(_headerCount: u32, _endOfStream: bool): Action {
    // Whatever the client claims about itself is dropped: only the auth service sets this header.
    requestHeaders.remove("x-auth-user");
    const credentials = requestHeaders.get("authorization");
    if (credentials === null) {
      sendLocalResponse(401, "missing credentials\n", [new HeaderPair("www-authenticate", "Bearer")], "auth_missing");
      return Action.Pause;
    }
    const status = this.httpCall(this.config.cluster, [
      new HeaderPair(":method", "GET"),
      new HeaderPair(":path", this.config.path),
      new HeaderPair(":authority", this.config.cluster),
      new HeaderPair("authorization", credentials),
    ], "", this.config.timeoutMs, onAuthAnswer);
    if (status != Status.Ok) {
      sendLocalResponse(503, "authorization service unavailable\n", plainText, "auth_call_failed");
    }
    return Action.Pause;
  }
}

setRootContext((contextId: u32): RootContext => new AuthRoot(contextId));
