// Serves a ServiceHandler over node:http: a request listener (for raw node, express, fastify) and `listen`.
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { HttpRequest } from "@smithy/protocol-http";
import { awsJsonProtocol } from "./protocols/awsJson";
import type { ServiceHandler } from "./service";

/**
 * Whether something ahead of the listener (a web framework's body parser) already read the request body: it cannot be
 * read again, and serving the request without it would answer a misleading error.
 */
export function bodyReadElsewhere(req: IncomingMessage): boolean {
  return req.readableEnded || (req.complete && !req.readable);
}

export const BODY_READ_ELSEWHERE =
  "The request body was read before this server got the request, most likely by a body parser mounted ahead of it: " +
  "route these requests to the listener before any body parser (for fastify, a content-type parser that leaves the body unread)";

export function createRequestListener(handler: ServiceHandler): RequestListener {
  const { contentType } = awsJsonProtocol(handler.definition);
  return (req: IncomingMessage, res: ServerResponse) => {
    if (bodyReadElsewhere(req)) {
      // The embedding's mistake, not the client's: a server error, with what to change.
      res.writeHead(500, { "content-type": contentType });
      res.end(JSON.stringify({ __type: "InternalFailure", message: BODY_READ_ELSEWHERE }));
      return;
    }
    // Split by hand: new URL() costs more than the rest of a small request's routing.
    const target = req.url ?? "/";
    const q = target.indexOf("?");
    const request = new HttpRequest({
      method: req.method ?? "GET",
      protocol: "http:",
      hostname: req.headers.host?.split(":")[0] ?? "localhost",
      path: q < 0 ? target : target.slice(0, q),
      query: q < 0 ? {} : Object.fromEntries(new URLSearchParams(target.slice(q + 1))),
      headers: req.headers as Record<string, string>,
      body: req,
    });
    handler.handle(request, { destroy: () => req.socket.destroy() }).then(
      (response) => {
        const flat: string[] = [];
        for (const name in response.headers) flat.push(name, response.headers[name]);
        // A hook closed the connection (a fault kit dropping the answer): nothing is left to write to.
        if (res.destroyed) return;
        try {
          res.writeHead(response.statusCode, flat);
          res.end(response.body);
        } catch {
          // An answer node cannot write (a hook's bad status): the connection goes, the process stays.
          res.destroy();
        }
      },
      () => {
        // handle() answers every error itself; this is a last resort that keeps the process up.
        if (!res.headersSent) res.writeHead(500, { "content-type": "application/json", connection: "close" });
        res.end('{"__type":"InternalFailure","message":"internal error"}');
      },
    );
  };
}

export interface RunningServer {
  /** e.g. http://127.0.0.1:43117 */
  url: string;
  server: Server;
  /** Stops accepting, lets requests in flight finish (cut off after `graceMs`, when given), then resolves. */
  close(graceMs?: number): Promise<void>;
}

export interface ListenOptions {
  host?: string;
  port?: number;
  /** A client must send its request headers within this time (default 60 s). */
  headersTimeoutMs?: number;
  /** A client must send its whole request, body included, within this time (default 300 s). */
  requestTimeoutMs?: number;
}

/** Serves a ServiceHandler, or a listener that composes one with other routes. */
export async function listen(target: ServiceHandler | RequestListener, opts: ListenOptions = {}): Promise<RunningServer> {
  const headersTimeout = opts.headersTimeoutMs ?? 60_000;
  const requestTimeout = Math.max(opts.requestTimeoutMs ?? 300_000, headersTimeout);
  const server = createServer(
    // A stalled or slow client is cut off (408) by these; node checks them at this interval.
    { headersTimeout, requestTimeout, connectionsCheckingInterval: Math.max(100, Math.min(headersTimeout, requestTimeout, 30_000) / 4) },
    typeof target === "function" ? target : createRequestListener(target),
  );
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(":") ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}`,
    server,
    close: (graceMs?: number) =>
      new Promise<void>((resolve, reject) => {
        const cutOff = graceMs === undefined ? undefined : setTimeout(() => server.closeAllConnections(), graceMs);
        server.close((err) => {
          clearTimeout(cutOff);
          if (err) reject(err);
          else resolve();
        });
        server.closeIdleConnections();
      }),
  };
}
