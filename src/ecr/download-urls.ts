// Presigned layer download URLs, like S3's: the path and an expiry, signed with an HMAC of a server secret.
import { createHmac, timingSafeEqual } from "node:crypto";

const PATH = /^\/layers\/([0-9]{12})\/(.+)\/(sha256:[0-9a-f]{64})$/;

export type Verified = { ok: true; registryId: string; repository: string; digest: string } | { ok: false; status: 403 | 404; message: string };

export class DownloadUrls {
  constructor(
    private readonly key: Buffer,
    private readonly ttlMs: number,
    private readonly now: () => number,
    /** Named in the URL, so that a server holding several regions sends the download to the one that signed it. */
    private readonly region: string,
  ) {}

  sign(origin: string, registryId: string, repository: string, digest: string): string {
    const path = `/layers/${registryId}/${repository}/${digest}`;
    const expires = Math.floor((this.now() + this.ttlMs) / 1000);
    return `${origin}${path}?X-Amz-Region=${this.region}&X-Amz-Expires=${expires}&X-Amz-Signature=${this.mac(path, expires)}`;
  }

  verify(path: string, query: URLSearchParams): Verified {
    const m = PATH.exec(path);
    if (!m) return { ok: false, status: 404, message: "No such download" };
    const expires = Number(query.get("X-Amz-Expires"));
    const given = Buffer.from(query.get("X-Amz-Signature") ?? "", "hex");
    const want = Buffer.from(this.mac(path, expires), "hex");
    if (!Number.isSafeInteger(expires) || given.byteLength !== want.byteLength || !timingSafeEqual(given, want)) {
      return { ok: false, status: 403, message: "The request signature does not match" };
    }
    if (this.now() / 1000 > expires) return { ok: false, status: 403, message: "The download URL has expired" };
    return { ok: true, registryId: m[1], repository: m[2], digest: m[3] };
  }

  private mac(path: string, expires: number): string {
    return createHmac("sha256", this.key).update(`${path}\n${expires}`).digest("hex");
  }
}
