// The download endpoint behind GetDownloadUrlForLayer's URLs: GET and HEAD, streamed from storage, with Range support.
import type { IncomingMessage, ServerResponse } from "node:http";
import { pipeline } from "node:stream";
import type { Logger } from "pino";
import type { RegistryStore } from "../storage/types";
import type { DownloadUrls } from "./download-urls";

export function createDownloadListener(store: RegistryStore, urls: DownloadUrls, log?: Logger) {
  const fail = (res: ServerResponse, status: number, message: string) => {
    const body = JSON.stringify({ message });
    res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
    res.end(body);
  };

  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("allow", "GET, HEAD");
      return fail(res, 405, `Downloads accept GET and HEAD, not ${req.method}`);
    }
    const url = new URL(req.url ?? "/", "http://localhost");
    const v = urls.verify(url.pathname, url.searchParams);
    if (!v.ok) return fail(res, v.status, v.message);
    const layer = await store.getLayer(v.registryId, v.repository, v.digest);
    const blob = layer && (await store.openBlob(v.registryId, v.digest));
    if (!blob) return fail(res, 404, `The layer ${v.digest} no longer exists`);

    const headers: Record<string, string | number> = {
      "content-type": "application/octet-stream",
      etag: `"${v.digest}"`,
      "accept-ranges": "bytes",
      "docker-content-digest": v.digest,
    };
    const range = parseRange(req.headers.range, blob.size);
    if (range === "unsatisfiable") {
      res.writeHead(416, { ...headers, "content-range": `bytes */${blob.size}`, "content-length": 0 });
      return void res.end();
    }
    const [start, end] = range ?? [0, blob.size - 1];
    const status = range ? 206 : 200;
    if (range) headers["content-range"] = `bytes ${start}-${end}/${blob.size}`;
    res.writeHead(status, { ...headers, "content-length": end - start + 1 });
    if (req.method === "HEAD" || blob.size === 0) return void res.end();
    pipeline(blob.stream(start, end), res, (err) => {
      if (err && err.code !== "ERR_STREAM_PREMATURE_CLOSE") log?.error({ err, digest: v.digest }, "download failed");
    });
  };

  return (req: IncomingMessage, res: ServerResponse): void => {
    serve(req, res).catch((err) => {
      log?.error({ err }, "download failed");
      if (!res.headersSent) fail(res, 500, "The download failed");
      else res.destroy();
    });
  };
}

/** A single `bytes=` range as [start, end] inclusive; undefined for none (or several: the whole blob is sent). */
export function parseRange(header: string | undefined, size: number): [number, number] | "unsatisfiable" | undefined {
  const m = header && /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === "" && m[2] === "")) return undefined;
  if (m[1] === "") {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return "unsatisfiable";
    return [Math.max(0, size - suffix), size - 1];
  }
  const start = Number(m[1]);
  const end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (m[2] !== "" && Number(m[2]) < start) return undefined;
  if (start >= size) return "unsatisfiable";
  return [start, end];
}
