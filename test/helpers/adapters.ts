// The two ways a test reaches a ServiceHandler: in process, and over real HTTP. Every conformance case runs on both.
import { request as httpRequest } from "node:http";
import { HttpRequest } from "@smithy/protocol-http";
import { listen, type RunningServer, type ServiceHandler } from "../../src/framework";

export interface RawRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Send the body in chunks without a Content-Length. */
  chunked?: boolean;
}
export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}
export interface Adapter {
  name: string;
  start(handler: ServiceHandler): Promise<void>;
  send(req: RawRequest): Promise<RawResponse>;
  stop(): Promise<void>;
}

export function inProcess(): Adapter {
  let handler: ServiceHandler;
  return {
    name: "in-process",
    async start(h) {
      handler = h;
    },
    async send(req) {
      const body = req.body === undefined ? undefined : Buffer.from(req.body);
      const headers = { ...(req.headers ?? {}) };
      if (body && !req.chunked) headers["content-length"] = String(body.byteLength);
      const response = await handler.handle(
        new HttpRequest({
          method: req.method ?? "POST",
          path: req.path ?? "/",
          headers,
          body: req.chunked && body ? chunks(body) : body,
        }),
      );
      const lower = Object.fromEntries(Object.entries(response.headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
      return { status: response.statusCode, headers: lower, body: String(response.body) };
    },
    async stop() {},
  };
}

async function* chunks(body: Buffer): AsyncIterable<Uint8Array> {
  for (let i = 0; i < body.byteLength; i += 100) yield body.subarray(i, i + 100);
}

export function overHttp(): Adapter {
  let server: RunningServer;
  return {
    name: "http",
    async start(h) {
      server = await listen(h, { host: "127.0.0.1", port: 0 });
    },
    send(req) {
      return new Promise((resolve, reject) => {
        const url = new URL(req.path ?? "/", server.url);
        const r = httpRequest(url, { method: req.method ?? "POST", headers: req.headers ?? {} }, (res) => {
          const parts: Buffer[] = [];
          res.on("data", (c: Buffer) => parts.push(c));
          res.on("end", () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, String(v)])),
              body: Buffer.concat(parts).toString("utf8"),
            }),
          );
          res.on("error", reject);
        });
        r.on("error", reject);
        const body = req.body === undefined ? undefined : Buffer.from(req.body);
        if (body && req.chunked) {
          for (let i = 0; i < body.byteLength; i += 100) r.write(body.subarray(i, i + 100));
          r.end();
        } else {
          r.end(body);
        }
      });
    },
    stop: () => server.close(),
  };
}
