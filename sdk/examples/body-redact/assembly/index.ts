// Example filter: replaces configured words in text response bodies before they reach the client.
import {
  Action, Counter, HttpContext, RootContext, describeFilter, parseJson, responseBody, responseHeaders, setRootContext,
} from "../../../assembly/index";
export * from "../../../assembly/abi/exports";

describeFilter("body-redact", "1.0.0", `{
  "type": "object",
  "properties": {
    "words": { "type": "array", "items": { "type": "string", "minLength": 1 }, "minItems": 1 },
    "replacement": { "type": "string", "default": "[redacted]" }
  },
  "required": ["words"],
  "additionalProperties": false
}`);

const redactions = new Counter("body_redact_redactions_total");

class RedactRoot extends RootContext {
  words: string[] = [];
  replacement: string = "[redacted]";

  onConfigure(configuration: string): bool {
    const config = parseJson(configuration);
    if (config === null) return false;
    this.words = config.getStringArray("words");
    this.replacement = config.getString("replacement", "[redacted]");
    return this.words.length > 0;
  }

  createHttpContext(contextId: u32): HttpContext {
    return new BodyRedact(contextId, this);
  }
}

function isText(contentType: string | null): bool {
  if (contentType === null) return false;
  return contentType.startsWith("text/") || contentType.startsWith("application/json");
}

class BodyRedact extends HttpContext {
  redacting: bool = false;

  constructor(contextId: u32, public readonly config: RedactRoot) {
    super(contextId, config);
  }

  onResponseHeaders(_headerCount: u32, endOfStream: bool): Action {
    this.redacting = !endOfStream && isText(responseHeaders.get("content-type"));
    // The body's length changes, so the upstream's content-length would be wrong.
    if (this.redacting) responseHeaders.remove("content-length");
    return Action.Continue;
  }

  onResponseBody(_bodySize: u32, endOfStream: bool): Action {
    if (!this.redacting) return Action.Continue;
    // A word may straddle two chunks: hold the body until it is complete, the host buffers it.
    if (!endOfStream) return Action.Pause;
    this.redact();
    return Action.Continue;
  }

  onResponseTrailers(_trailerCount: u32): Action {
    // With trailers the last body chunk has no end-of-stream flag: the held body is complete now.
    if (this.redacting) this.redact();
    return Action.Continue;
  }

  redact(): void {
    let text = responseBody.readString();
    let count: u64 = 0;
    for (let i = 0; i < this.config.words.length; i++) {
      const parts = text.split(this.config.words[i]);
      count += <u64>(parts.length - 1);
      text = parts.join(this.config.replacement);
    }
    if (count == 0) return;
    responseBody.replace(text);
    redactions.increment(count);
  }
}

setRootContext((contextId: u32): RootContext => new RedactRoot(contextId));
