// Request facts several filters match on: the path without its query, the method, the client address, the caller's identity.
import { getPropertyString, requestHeaders } from "../../../sdk/assembly/index";

/** `:path` without the query string. */
export function pathOnly(path: string): string {
  const query = path.indexOf("?");
  return query < 0 ? path : path.substring(0, query);
}

/** The request's `:path` header, "/" when absent. */
export function requestPath(): string {
  const path = requestHeaders.get(":path");
  return path === null ? "/" : path;
}

/** The request's `:method` header. */
export function requestMethod(): string {
  const method = requestHeaders.get(":method");
  return method === null ? "" : method;
}

// Property paths, built once: an array literal in the call would be a new array on every request.
const sourceAddress = ["source", "address"];
/** `weft.route`: the name of the proxy route the request matched. */
export const routeProperty = ["weft", "route"];
/** `weft.cluster`: the cluster the request goes to, which the router may set. */
export const clusterProperty = ["weft", "cluster"];
/** `source.principal` (Envoy's name): the caller's verified SPIFFE ID, from its certificate on an mTLS inbound listener. */
export const principalProperty = ["source", "principal"];

/** The caller's verified workload identity, or null on a plain-text connection (no certificate, so no identity). */
export function callerPrincipal(): string | null {
  const principal = getPropertyString(principalProperty);
  // An empty value proves nothing about the caller, so it is no identity either.
  return principal === null || principal.length == 0 ? null : principal;
}

/** The client's IP address from `source.address` without its port ("" when the host has none). */
export function clientAddress(): string {
  const address = getPropertyString(sourceAddress);
  if (address === null) return "";
  if (address.startsWith("[")) {
    const close = address.indexOf("]");
    return close < 0 ? address : address.substring(1, close);
  }
  const colon = address.lastIndexOf(":");
  // One colon is host:port; more are a bare IPv6 address.
  return colon >= 0 && address.indexOf(":") == colon ? address.substring(0, colon) : address;
}

/** The value of query parameter `name` in `path` (not percent-decoded), or null when absent. */
export function queryParameter(path: string, name: string): string | null {
  const start = path.indexOf("?");
  if (start < 0) return null;
  const parts = path.substring(start + 1).split("&");
  for (let i = 0; i < parts.length; i++) {
    const equals = parts[i].indexOf("=");
    const key = equals < 0 ? parts[i] : parts[i].substring(0, equals);
    if (key == name) return equals < 0 ? "" : parts[i].substring(equals + 1);
  }
  return null;
}

/** `path` without query parameter `name` (every occurrence). */
export function withoutQueryParameter(path: string, name: string): string {
  const start = path.indexOf("?");
  if (start < 0) return path;
  const parts = path.substring(start + 1).split("&");
  const kept = new Array<string>();
  for (let i = 0; i < parts.length; i++) {
    const equals = parts[i].indexOf("=");
    if ((equals < 0 ? parts[i] : parts[i].substring(0, equals)) != name) kept.push(parts[i]);
  }
  const base = path.substring(0, start);
  return kept.length == 0 ? base : base + "?" + kept.join("&");
}
