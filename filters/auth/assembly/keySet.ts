// A JSON Web Key Set (RFC 7517) and signature checks with its keys through the host's verify_signature.
import { JsonKind, JsonValue, Status, callForeignFunction } from "../../../sdk/assembly/index";
import { base64Decode } from "./base64";

/** The key type each JWS algorithm family needs (RFC 7518), so a token cannot pick an algorithm its key was not meant for. */
function keyTypeFor(alg: string): string {
  if (alg == "HS256" || alg == "HS384" || alg == "HS512") return "oct";
  if (alg == "RS256" || alg == "RS384" || alg == "RS512" || alg == "PS256" || alg == "PS384" || alg == "PS512") return "RSA";
  if (alg == "ES256" || alg == "ES384" || alg == "ES512") return "EC";
  if (alg == "EdDSA") return "OKP";
  return "";
}

/** One verification key: what the host's verify_signature takes (a JWK's JSON, or an HMAC secret's raw bytes). */
class Key {
  constructor(
    public readonly kid: string,
    public readonly kty: string,
    public readonly alg: string,
    public readonly material: ArrayBuffer,
  ) {}

  accepts(alg: string, kid: string): bool {
    if (kid.length > 0 && this.kid.length > 0 && kid != this.kid) return false;
    if (this.alg.length > 0 && this.alg != alg) return false;
    return keyTypeFor(alg) == this.kty;
  }
}

/** `u32 LE length + bytes`, the field format of verify_signature's arguments. */
function appendField(out: Uint8Array, at: i32, field: ArrayBuffer): i32 {
  store<u32>(out.dataStart + at, field.byteLength);
  memory.copy(out.dataStart + at + 4, changetype<usize>(field), field.byteLength);
  return at + 4 + field.byteLength;
}

/** What checking a signature found. */
export enum SignatureCheck {
  Valid = 0,
  Invalid = 1,
  /** No key of the set fits the token's kid and algorithm. */
  NoKey = 2,
}

export class KeySet {
  constructor(public readonly keys: Key[]) {}

  /**
   * The keys of a JWKS document (`{"keys": [...]}`); keys of unknown types and `use` other than
   * "sig" are skipped. An oct key without a decodable `k` is skipped too.
   */
  static fromJson(jwks: JsonValue): KeySet {
    const keys = new Array<Key>();
    const list = jwks.get("keys");
    if (list === null || list.kind != JsonKind.Array) return new KeySet(keys);
    for (let i = 0; i < list.items.length; i++) {
      const jwk = list.items[i];
      if (jwk.kind != JsonKind.Object) continue;
      const use = jwk.getString("use", "sig");
      const kty = jwk.getString("kty");
      if (use != "sig" || (kty != "RSA" && kty != "EC" && kty != "oct" && kty != "OKP")) continue;
      let material: ArrayBuffer;
      if (kty == "oct") {
        const secret = base64Decode(jwk.getString("k"));
        if (secret === null || secret.length == 0) continue;
        material = secret.buffer;
      } else {
        material = String.UTF8.encode(jwk.toString());
      }
      keys.push(new Key(jwk.getString("kid"), kty, jwk.getString("alg"), material));
    }
    return new KeySet(keys);
  }

  /** Checks `signature` over `signingInput` with each key that fits `alg` and `kid`, until one verifies it. */
  verify(alg: string, kid: string, signingInput: string, signature: Uint8Array): SignatureCheck {
    const algBytes = String.UTF8.encode(alg);
    const data = String.UTF8.encode(signingInput);
    let tried = false;
    for (let i = 0; i < this.keys.length; i++) {
      const key = this.keys[i];
      if (!key.accepts(alg, kid)) continue;
      tried = true;
      const args = new Uint8Array(16 + algBytes.byteLength + key.material.byteLength + data.byteLength + signature.length);
      let at = appendField(args, 0, algBytes);
      at = appendField(args, at, key.material);
      at = appendField(args, at, data);
      appendField(args, at, signature.buffer);
      const result = callForeignFunction("verify_signature", args);
      if (result.status == Status.Ok && result.data.byteLength == 1 && load<u8>(changetype<usize>(result.data)) == 1) {
        return SignatureCheck.Valid;
      }
    }
    return tried ? SignatureCheck.Invalid : SignatureCheck.NoKey;
  }
}
