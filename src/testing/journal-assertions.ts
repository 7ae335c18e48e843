// Assertions over the request journal, named for the property under test. Each throws an Error that lists the
// entries breaking it, so they read the same under jest, vitest or node:test.
import type { JournalEntry } from "../contract/journal";

/**
 * One part of an upload: the upload and where the part starts. A registry chunk's start is known once it committed
 * (the `firstByte` its effects report); a refused one's is not, and it is left out.
 */
const partKey = (e: JournalEntry) => {
  if (e.uploadId === undefined) return undefined;
  if (e.protocol === "api" && e.operation === "UploadLayerPart") return `${e.uploadId}@${String(e.input?.partFirstByte ?? "next")}`;
  const firstByte = (e.effects as { firstByte?: number } | undefined)?.firstByte;
  if (e.protocol === "registry" && e.route === "PATCH upload" && firstByte !== undefined) return `${e.uploadId}@${firstByte}`;
  return undefined;
};

const describe = (e: JournalEntry) =>
  `#${e.seq} ${e.operation ?? e.route} ${e.uploadId ?? ""} attempt ${e.caller.attempt ?? "?"} → ${e.status}${e.error ? ` ${e.error}` : ""}${e.body?.sha256 ? ` sha256 ${e.body.sha256.slice(0, 12)}…` : ""}`;

function fail(property: string, offenders: string[]): never {
  throw new Error(`${property}:\n  ${offenders.join("\n  ")}`);
}

/**
 * Every part was sent once, or resent with exactly the same bytes: among the attempts at one part of one upload
 * (same upload, same first byte) whose body arrived whole, there is one SHA-256.
 */
export function assertPartsResentIdentically(entries: readonly JournalEntry[]): void {
  const seen = new Map<string, JournalEntry>();
  const offenders: string[] = [];
  for (const e of entries) {
    const key = partKey(e);
    const sha = e.body?.sha256;
    if (key === undefined || sha === undefined) continue;
    const first = seen.get(key);
    if (!first) seen.set(key, e);
    else if (first.body!.sha256 !== sha) offenders.push(`${describe(e)} differs from ${describe(first)}`);
  }
  if (offenders.length) fail("a part was resent with other bytes", offenders);
}

/**
 * After the server named the last byte it holds (an InvalidLayerPartException's lastValidByteReceived), the client's
 * next part of that upload starts right after it.
 */
export function assertResumedWhereTold(entries: readonly JournalEntry[]): void {
  const offenders: string[] = [];
  entries.forEach((e, i) => {
    const last = e.errorFields?.lastValidByteReceived;
    if (typeof last !== "number" || e.uploadId === undefined) return;
    const next = entries.slice(i + 1).find((n) => n.operation === "UploadLayerPart" && n.protocol === "api" && n.uploadId === e.uploadId);
    if (next && next.input?.partFirstByte !== last + 1) offenders.push(`${describe(next)} starts at ${String(next.input?.partFirstByte)}, not ${last + 1} as ${describe(e)} said`);
  });
  if (offenders.length) fail("the client did not resume where the server said", offenders);
}

/** No attempt went unsigned (SigV4 on the API; credentials on the registry protocol, past its version check). */
export function assertEveryAttemptSigned(entries: readonly JournalEntry[]): void {
  const offenders = entries.filter((e) => !e.caller.signed && e.route !== "GET version").map(describe);
  if (offenders.length) fail("some requests were not signed", offenders);
}

/** The attempts of one SDK call (one invocation id), in order. */
export function attemptsOf(entries: readonly JournalEntry[], invocationId: string): JournalEntry[] {
  return entries.filter((e) => e.caller.invocationId === invocationId);
}
