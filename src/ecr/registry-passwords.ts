// The passwords GetAuthorizationToken issues for the registry protocol (`docker login -u AWS`). Only this server can
// check one: it carries the account and the expiry, signed with an HMAC of a server secret, and survives restarts.
import { createHmac, timingSafeEqual } from "node:crypto";

export interface RegistryPassword {
  accountId: string;
  /** Who asked for it (an IAM ARN): the registry protocol's caller, as repository policies see it. */
  principal: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

export class RegistryPasswords {
  private readonly key: Buffer;

  constructor(
    secret: Buffer,
    private readonly now: () => number,
    /** Named in the password, so that a server holding several regions sends a login's requests to its region. */
    private readonly region: string,
  ) {
    // A key of its own, so that a password can never pass for a download URL's signature or the reverse.
    this.key = createHmac("sha256", secret).update("registry-password").digest();
  }

  issue(accountId: string, principal: string, ttlMs: number): { password: string; expiresAt: number } {
    const expiresAt = this.now() + ttlMs;
    const claims = Buffer.from(JSON.stringify({ a: accountId, p: principal, e: expiresAt, r: this.region })).toString("base64url");
    return { password: `${claims}.${this.mac(claims)}`, expiresAt };
  }

  /** The account a password was issued to; "expired" once it no longer is valid, undefined when it is not ours. */
  verify(password: string): RegistryPassword | "expired" | undefined {
    const [claims, mac, extra] = password.split(".");
    if (!claims || !mac || extra !== undefined) return undefined;
    // Compared as text, not as decoded bytes: base64url's last character has spare bits, and a password must have
    // exactly one spelling.
    const given = Buffer.from(mac);
    const want = Buffer.from(this.mac(claims));
    if (given.byteLength !== want.byteLength || !timingSafeEqual(given, want)) return undefined;
    const { a, p, e } = JSON.parse(Buffer.from(claims, "base64url").toString("utf8"));
    if (typeof a !== "string" || typeof p !== "string" || typeof e !== "number") return undefined;
    if (this.now() >= e) return "expired";
    return { accountId: a, principal: p, expiresAt: e };
  }

  private mac(claims: string): string {
    return createHmac("sha256", this.key).update(claims).digest("base64url");
  }
}
