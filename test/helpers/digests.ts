// Digests and sizes as the tests write them.
import { createHash } from "node:crypto";

export const MiB = 1024 * 1024;

/** The `sha256:<hex>` digest of bytes or a string. */
export const sha256 = (b: Uint8Array | string) => `sha256:${createHash("sha256").update(b).digest("hex")}`;
