// Clients that push the same layer to each server: prepared UploadLayerPart bodies on one keep-alive connection,
// the AWS SDK, and chunked PATCHes to a registry (Debian's docker-registry, or this server's registry protocol).
import { createHash, randomBytes } from "node:crypto";
import { Agent, request } from "node:http";
import { CompleteLayerUploadCommand, ECRClient, InitiateLayerUploadCommand, UploadLayerPartCommand } from "@aws-sdk/client-ecr";

const TARGET = "AmazonEC2ContainerRegistry_V20150921.";

/** A layer of `size` bytes made of one random part-sized chunk repeated, so that clients hold one part in memory. */
export class Layer {
  readonly chunk: Buffer;
  readonly digest: string;
  private readonly encoded = new Map<number, Buffer>();
  constructor(
    readonly size: number,
    readonly partSize: number,
  ) {
    this.chunk = randomBytes(partSize);
    const hash = createHash("sha256");
    for (const [first, last] of this.parts()) hash.update(this.part(first, last));
    this.digest = `sha256:${hash.digest("hex")}`;
  }
  *parts(): Generator<[number, number]> {
    for (let first = 0; first < this.size; first += this.partSize) yield [first, Math.min(first + this.partSize, this.size) - 1];
  }
  part(first: number, last: number): Buffer {
    return this.chunk.subarray(0, last - first + 1);
  }
  /** The part's base64, computed once per distinct length. */
  base64(first: number, last: number): Buffer {
    const n = last - first + 1;
    let b = this.encoded.get(n);
    if (!b) this.encoded.set(n, (b = Buffer.from(this.part(first, last).toString("base64"))));
    return b;
  }
}

function send(url: string, agent: Agent, headers: Record<string, string | number>, pieces: (string | Buffer)[], method = "POST"): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const length = pieces.reduce((n, p) => n + Buffer.byteLength(p), 0);
    const req = request(url, { method, agent, headers: { ...headers, "content-length": length } }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on("error", reject);
    for (const p of pieces.slice(0, -1)) req.write(p);
    req.end(pieces[pieces.length - 1]);
  });
}

async function ecrCall(url: string, agent: Agent, op: string, pieces: (string | Buffer)[]) {
  const r = await send(`${url}/`, agent, { "content-type": "application/x-amz-json-1.1", "x-amz-target": TARGET + op }, pieces);
  if (r.status !== 200) throw new Error(`${op}: ${r.status} ${r.body.slice(0, 300)}`);
  return JSON.parse(r.body);
}

export interface PushTimes {
  seconds: number;
  /** The CompleteLayerUpload call alone. */
  completeMs: number;
}

/** UploadLayerPart bodies prepared ahead (only the small JSON around the base64 is made per part). */
export async function pushRaw(url: string, layer: Layer, repositoryName = "bench"): Promise<PushTimes> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const started = performance.now();
    const { uploadId } = await ecrCall(url, agent, "InitiateLayerUpload", [JSON.stringify({ repositoryName })]);
    for (const [first, last] of layer.parts()) {
      const head = `{"repositoryName":"${repositoryName}","uploadId":"${uploadId}","partFirstByte":${first},"partLastByte":${last},"layerPartBlob":"`;
      await ecrCall(url, agent, "UploadLayerPart", [head, layer.base64(first, last), '"}']);
    }
    const c0 = performance.now();
    const done = await ecrCall(url, agent, "CompleteLayerUpload", [JSON.stringify({ repositoryName, uploadId, layerDigests: [layer.digest] })]);
    const end = performance.now();
    if (done.layerDigest !== layer.digest) throw new Error(`digest ${done.layerDigest} != ${layer.digest}`);
    return { seconds: (end - started) / 1000, completeMs: end - c0 };
  } finally {
    agent.destroy();
  }
}

/** The same layer through @aws-sdk/client-ecr (which base64-encodes each part itself). */
export async function pushSdk(url: string, layer: Layer, repositoryName = "bench"): Promise<PushTimes> {
  const client = new ECRClient({ endpoint: url, region: "us-east-1", credentials: { accessKeyId: "bench", secretAccessKey: "bench" }, maxAttempts: 1 });
  try {
    const started = performance.now();
    const { uploadId } = await client.send(new InitiateLayerUploadCommand({ repositoryName }));
    for (const [first, last] of layer.parts()) {
      await client.send(new UploadLayerPartCommand({ repositoryName, uploadId, partFirstByte: first, partLastByte: last, layerPartBlob: layer.part(first, last) }));
    }
    const c0 = performance.now();
    await client.send(new CompleteLayerUploadCommand({ repositoryName, uploadId, layerDigests: [layer.digest] }));
    const end = performance.now();
    return { seconds: (end - started) / 1000, completeMs: end - c0 };
  } finally {
    client.destroy();
  }
}

/** The same bodies to a server that discards them: the loopback ceiling for this client. */
export async function pushDiscard(url: string, layer: Layer): Promise<PushTimes> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const started = performance.now();
    for (const [first, last] of layer.parts()) {
      const head = `{"repositoryName":"bench","uploadId":"x","partFirstByte":${first},"partLastByte":${last},"layerPartBlob":"`;
      await ecrCall(url, agent, "UploadLayerPart", [head, layer.base64(first, last), '"}']);
    }
    return { seconds: (performance.now() - started) / 1000, completeMs: 0 };
  } finally {
    agent.destroy();
  }
}

/** The raw bytes to a registry (docker-registry, or this server's /v2/): POST an upload, PATCH each chunk, PUT with the digest. */
export async function pushRegistry(url: string, layer: Layer, name = "bench"): Promise<PushTimes> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const started = performance.now();
    const open = await send(`${url}/v2/${name}/blobs/uploads/`, agent, {}, [""]);
    if (open.status !== 202) throw new Error(`registry POST: ${open.status} ${open.body}`);
    let location = new URL(String(open.headers.location), url).toString();
    for (const [first, last] of layer.parts()) {
      const r = await send(location, agent, { "content-type": "application/octet-stream", "content-range": `${first}-${last}` }, [layer.part(first, last)], "PATCH");
      // The spec's 202, or ECR's 201.
      if (r.status !== 202 && r.status !== 201) throw new Error(`registry PATCH: ${r.status} ${r.body}`);
      location = new URL(String(r.headers.location), url).toString();
    }
    const c0 = performance.now();
    const put = new URL(location);
    put.searchParams.set("digest", layer.digest);
    const r = await send(put.toString(), agent, {}, [""], "PUT");
    if (r.status !== 201) throw new Error(`registry PUT: ${r.status} ${r.body}`);
    const end = performance.now();
    return { seconds: (end - started) / 1000, completeMs: end - c0 };
  } finally {
    agent.destroy();
  }
}
