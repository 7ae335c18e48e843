// A client that starts an UploadLayerPart and stops sending: a crash, a stalled network, a slow client.
import { request } from "node:http";

/** Sends the first `sent` bytes of an UploadLayerPart request and never the rest; resolves once they are written. */
export function startPartAndStall(url: string, uploadId: string, first: number, blob: Buffer, sent: number) {
  const body = Buffer.from(
    JSON.stringify({ repositoryName: "app", uploadId, partFirstByte: first, partLastByte: first + blob.byteLength - 1, layerPartBlob: blob.toString("base64") }),
  );
  const req = request(`${url}/`, {
    method: "POST",
    headers: {
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": "AmazonEC2ContainerRegistry_V20150921.UploadLayerPart",
      "content-length": body.byteLength,
    },
  });
  let status: number | undefined;
  let closed = false;
  req.on("response", (res) => {
    status = res.statusCode;
    res.resume();
    res.on("end", () => req.destroy());
  });
  req.on("error", () => undefined);
  req.on("close", () => (closed = true));
  const finished = new Promise<number | undefined>((resolve) => req.on("close", () => resolve(status)));
  return new Promise<{ abort: () => void; finish: () => Promise<number | undefined>; status: () => number | undefined; closed: () => boolean }>((resolve) =>
    req.write(body.subarray(0, sent), () =>
      resolve({
        abort: () => req.destroy(),
        /** Sends the rest of the body; resolves with the response's status once the exchange is over. */
        finish: () => {
          req.end(body.subarray(sent));
          return finished;
        },
        status: () => status,
        closed: () => closed,
      }),
    ),
  );
}
