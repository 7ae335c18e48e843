// The registry protocol as the tests speak it: one request with fetch (redirects not followed), or with node:http when
// the Host header matters, answered as status, headers and text.
import { request } from "node:http";

export interface V2Response {
  status: number;
  headers: Record<string, string>;
  text: string;
  /** The distribution spec's error body, when there is one. */
  errors?: { code: string; message: string; detail?: unknown }[];
}

export interface V2Request {
  method?: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
}

/** One request to `url` + `path`; `auth` is the `AWS:<password>` pair's password, sent as Basic. */
export async function v2(url: string, path: string, init: V2Request = {}, password?: string): Promise<V2Response> {
  const headers: Record<string, string> = { ...init.headers };
  if (password !== undefined) headers.authorization = basic(password);
  const res = await fetch(`${url}${path}`, { method: init.method ?? "GET", headers, body: init.body, redirect: "manual" });
  return answer(res.status, Object.fromEntries(res.headers), await res.text());
}

/** The same through node:http, with a Host header of the test's choosing (an ECR registry host names an account). */
export function v2AtHost(url: string, host: string, path: string, init: V2Request = {}, password?: string): Promise<V2Response> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, method: init.method ?? "GET", headers: { ...init.headers, host, ...(password === undefined ? {} : { authorization: basic(password) }) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve(answer(res.statusCode!, res.headers as Record<string, string>, Buffer.concat(chunks).toString("utf8"))));
    });
    req.on("error", reject);
    req.end(init.body);
  });
}

export const basic = (password: string) => `Basic ${Buffer.from(`AWS:${password}`).toString("base64")}`;

function answer(status: number, headers: Record<string, string>, text: string): V2Response {
  let errors: V2Response["errors"];
  if (headers["content-type"]?.startsWith("application/json")) {
    try {
      errors = (JSON.parse(text) as { errors?: V2Response["errors"] }).errors;
    } catch {
      errors = undefined;
    }
  }
  return { status, headers, text, errors };
}

/** Pushes a blob through the registry protocol in one POST (`?digest=`); returns its digest. */
export async function pushBlobV2(url: string, name: string, bytes: Buffer, digest: string, password?: string): Promise<V2Response> {
  return v2(url, `/v2/${name}/blobs/uploads/?digest=${digest}`, { method: "POST", body: bytes, headers: { "content-type": "application/octet-stream" } }, password);
}
