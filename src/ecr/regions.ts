// The regions one server holds: each has its own registries and storage, and the server's own work in one of them
// (a replicated image arriving) runs with a context like a request's.
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { SharedContext } from "../registry/listener";
import type { Context } from "./handlers/context";

export class Regions {
  private readonly held = new Map<string, SharedContext>();

  hold(region: string, shared: SharedContext): void {
    this.held.set(region, shared);
  }

  has(region: string): boolean {
    return this.held.has(region);
  }

  /** A context for the server's own work in a registry of a region it holds (as the registry's account). */
  context(region: string, registryId: string, operation: string): Context | undefined {
    const shared = this.held.get(region);
    if (!shared) return undefined;
    return Object.assign({ requestId: randomUUID(), operation, accountId: registryId, principal: `arn:aws:iam::${registryId}:root`, region, headers: {} }, shared) as Context;
  }
}

/**
 * The region a request is for, when it names one: the credential scope of its signature (the API), the region a
 * registry password was issued in or a registry host `<account>.dkr.ecr.<region>.…` (the registry protocol), or a
 * download URL's region. Only a hint: the region's service checks the signature or password itself.
 */
export function requestRegion(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  const scoped = auth ? /Credential=[^/\s]+\/\d{8}\/([a-z0-9-]+)\//.exec(auth) : null;
  if (scoped) return scoped[1];
  const basic = auth ? /^Basic\s+([A-Za-z0-9+/=]{1,8192})\s*$/i.exec(auth) : null;
  if (basic) {
    const claims = /^AWS:([A-Za-z0-9_-]+)\./.exec(Buffer.from(basic[1], "base64").toString("utf8"))?.[1];
    try {
      const r = claims ? (JSON.parse(Buffer.from(claims, "base64url").toString("utf8")) as { r?: unknown }).r : undefined;
      if (typeof r === "string") return r;
    } catch {
      // Not one of this server's passwords: the region's service refuses it.
    }
  }
  const host = req.headers.host ? /^\d{12}\.dkr\.ecr\.([a-z0-9-]+)\./i.exec(req.headers.host) : null;
  if (host) return host[1].toLowerCase();
  const url = req.url ?? "";
  return url.startsWith("/layers/") ? (/[?&]X-Amz-Region=([a-z0-9-]+)/.exec(url)?.[1] ?? undefined) : undefined;
}
