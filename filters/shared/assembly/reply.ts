// The JSON error replies the built-in filters send (401, 403, 429...): one shape, `{"error": reason, "message": text}`.
import { HeaderPair, jsonQuote, sendLocalResponse } from "../../../sdk/assembly/index";

/**
 * Answers the current request with `status` and a JSON body naming `reason` (machine-readable,
 * snake_case) and `message` (for people). `reason` is also the response-code detail the host logs.
 */
export function sendJsonError(status: u32, reason: string, message: string, headers: HeaderPair[] = []): void {
  const all = headers.slice(0);
  all.push(new HeaderPair("content-type", "application/json"));
  sendLocalResponse(status, "{\"error\":" + jsonQuote(reason) + ",\"message\":" + jsonQuote(message) + "}\n", all, reason);
}
