// A client of an upstream registry (the OCI distribution protocol) for the pull through cache: its manifests and
// blobs, with the registries' token flow (a 401's Bearer challenge answered at its realm, with the rule's credentials
// when it has some) or Basic authentication. Every request is bounded: in time, and a manifest in size.
import { createHash } from "node:crypto";
import { Readable } from "node:stream";

export interface UpstreamCredential {
  username: string;
  accessToken: string;
}

/** Why the upstream could not give what was asked, in words for a caller. */
export class UpstreamError extends Error {
  constructor(
    message: string,
    /** The upstream said it does not have it (404), as opposed to failing. */
    readonly notFound = false,
  ) {
    super(message);
  }
}

/** ECR's limit on a manifest; an upstream's larger answer is refused unread. */
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
const MANIFEST_TYPES = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.v2+json",
];

export interface UpstreamManifest {
  text: string;
  mediaType: string;
  digest: string;
}

export class Upstream {
  /** The Authorization header a scope's last challenge was answered with. */
  private readonly authorizations = new Map<string, string>();

  constructor(
    /** e.g. https://registry-1.docker.io, or a local stand-in's http://127.0.0.1:5000 */
    private readonly base: string,
    private readonly credential: UpstreamCredential | undefined,
    /** How long a request may wait for an answer, and a body between two chunks. */
    private readonly timeoutMs: number,
  ) {}

  /** Checks that the upstream answers and accepts the credentials (GET /v2/). */
  async check(): Promise<void> {
    const res = await this.request("GET", "/v2/", "");
    await res.body?.cancel();
    if (res.status !== 200) throw new UpstreamError(`The upstream registry answered ${res.status} to /v2/`);
  }

  /** The digest a tag or digest names upstream (HEAD), without the manifest. */
  async digestOf(repository: string, reference: string): Promise<string> {
    const res = await this.request("HEAD", `/v2/${repository}/manifests/${encodeURIComponent(reference)}`, scope(repository), { accept: MANIFEST_TYPES.join(", ") });
    const digest = res.headers.get("docker-content-digest");
    if (res.status !== 200 || !digest) throw this.failed(res.status, `${repository}:${reference}`);
    return digest;
  }

  async manifest(repository: string, reference: string): Promise<UpstreamManifest> {
    const res = await this.request("GET", `/v2/${repository}/manifests/${encodeURIComponent(reference)}`, scope(repository), { accept: MANIFEST_TYPES.join(", ") });
    if (res.status !== 200) {
      await res.body?.cancel();
      throw this.failed(res.status, `${repository}:${reference}`);
    }
    const declared = Number(res.headers.get("content-length") ?? 0);
    if (declared > MAX_MANIFEST_BYTES) {
      await res.body?.cancel();
      throw new UpstreamError(`The upstream manifest of ${repository}:${reference} is larger than ${MAX_MANIFEST_BYTES} bytes`);
    }
    const bytes = await this.readAll(res, MAX_MANIFEST_BYTES, `The upstream manifest of ${repository}:${reference}`);
    const digest = `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
    if (reference.startsWith("sha256:") && reference !== digest) throw new UpstreamError(`The upstream manifest of ${repository}@${reference} has the digest ${digest}`);
    let mediaType = (res.headers.get("content-type") ?? "").split(";")[0].trim();
    if (!MANIFEST_TYPES.includes(mediaType)) {
      try {
        mediaType = String((JSON.parse(bytes.toString("utf8")) as { mediaType?: unknown }).mediaType ?? mediaType);
      } catch {
        throw new UpstreamError(`The upstream manifest of ${repository}:${reference} is not JSON`);
      }
    }
    return { text: bytes.toString("utf8"), mediaType, digest };
  }

  /** A blob's bytes, as they arrive (the upload they go into checks them against the digest). */
  async blob(repository: string, digest: string): Promise<AsyncIterable<Uint8Array>> {
    const res = await this.request("GET", `/v2/${repository}/blobs/${encodeURIComponent(digest)}`, scope(repository));
    if (res.status !== 200) {
      await res.body?.cancel();
      throw this.failed(res.status, `${repository}@${digest}`);
    }
    return this.idleBounded(res);
  }

  private failed(status: number, what: string): UpstreamError {
    if (status === 404) return new UpstreamError(`The upstream registry has no ${what}`, true);
    if (status === 401 || status === 403) return new UpstreamError(`The upstream registry refused the credentials for ${what} (${status})`);
    return new UpstreamError(`The upstream registry answered ${status} for ${what}`);
  }

  /** A request, answering one authentication challenge when the upstream makes one. */
  private async request(method: string, path: string, scopeName: string, headers: Record<string, string> = {}): Promise<Response> {
    const send = (authorization?: string) =>
      this.send(`${this.base}${path}`, { method, headers: { ...headers, ...(authorization ? { authorization } : {}) } });
    let res = await send(this.authorizations.get(scopeName));
    if (res.status !== 401) return res;
    await res.body?.cancel();
    const authorization = await this.answer(res.headers.get("www-authenticate") ?? "", scopeName);
    this.authorizations.set(scopeName, authorization);
    res = await send(authorization);
    return res;
  }

  /** The Authorization header a challenge asks for: a token from its realm, or Basic credentials. */
  private async answer(challenge: string, scopeName: string): Promise<string> {
    const basic = this.credential ? `Basic ${Buffer.from(`${this.credential.username}:${this.credential.accessToken}`).toString("base64")}` : undefined;
    const [scheme] = challenge.split(/\s+/, 1);
    if (scheme.toLowerCase() === "basic") {
      if (!basic) throw new UpstreamError("The upstream registry requires credentials, and the rule has none");
      return basic;
    }
    if (scheme.toLowerCase() !== "bearer") throw new UpstreamError(`The upstream registry asked for authentication this server does not speak: ${challenge.slice(0, 100)}`);
    const params = Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1].toLowerCase(), m[2]]));
    let url: URL;
    try {
      url = new URL(params.realm ?? "");
    } catch {
      throw new UpstreamError("The upstream registry's challenge names no realm this server can reach");
    }
    // The credentials go only over https, or plain http to an upstream that is itself reached so (a local stand-in).
    if (url.protocol !== "https:" && !(url.protocol === "http:" && this.base.startsWith("http:"))) {
      throw new UpstreamError(`The upstream registry's token realm ${url.origin} is not https`);
    }
    if (params.service) url.searchParams.set("service", params.service);
    if (scopeName) url.searchParams.set("scope", scopeName);
    const res = await this.send(url.toString(), { method: "GET", headers: basic ? { authorization: basic } : {} });
    if (res.status !== 200) {
      await res.body?.cancel();
      throw new UpstreamError(`The upstream registry's token service refused the credentials (${res.status})`);
    }
    let answer: { token?: unknown; access_token?: unknown } = {};
    try {
      answer = JSON.parse((await this.readAll(res, 1024 * 1024, "The upstream registry's token")).toString("utf8")) as typeof answer;
    } catch (e) {
      if (e instanceof UpstreamError) throw e;
    }
    const token = typeof answer.token === "string" ? answer.token : answer.access_token;
    if (typeof token !== "string" || !token) throw new UpstreamError("The upstream registry's token service gave no token");
    return `Bearer ${token}`;
  }

  private async send(url: string, init: { method: string; headers: Record<string, string> }): Promise<Response> {
    // Bounded until the answer's headers; its body is bounded by idleness instead (a large blob takes its time).
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error(`no answer within ${Math.round(this.timeoutMs / 1000)} seconds`)), this.timeoutMs);
    try {
      return await fetch(url, { ...init, signal: controller.signal });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      throw new UpstreamError(`The upstream registry could not be reached at ${new URL(url).origin}: ${cause?.code ?? cause?.message ?? (e as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
  }

  /** A small body whole; `what` names it when it is larger than `max`. */
  private async readAll(res: Response, max: number, what: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of this.idleBounded(res)) {
      size += chunk.byteLength;
      if (size > max) throw new UpstreamError(`${what} is larger than ${max} bytes`);
      chunks.push(Buffer.from(chunk));
    }
    return Buffer.concat(chunks);
  }

  /** The body, cut off when nothing arrives for the timeout. */
  private async *idleBounded(res: Response): AsyncGenerator<Uint8Array> {
    if (!res.body) return;
    const body = Readable.fromWeb(res.body as import("node:stream/web").ReadableStream<Uint8Array>);
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => body.destroy(new UpstreamError(`The upstream registry sent nothing for ${Math.round(this.timeoutMs / 1000)} seconds`)), this.timeoutMs);
    };
    try {
      arm();
      for await (const chunk of body) {
        arm();
        yield chunk as Uint8Array;
      }
    } catch (e) {
      // A connection cut mid-body is the upstream failing, not this server.
      throw e instanceof UpstreamError ? e : new UpstreamError(`The upstream registry's answer broke off: ${(e as Error).message}`);
    } finally {
      clearTimeout(timer);
      body.destroy();
    }
  }
}

const scope = (repository: string) => `repository:${repository}:pull`;
