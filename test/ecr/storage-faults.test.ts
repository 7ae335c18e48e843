// A storage fault during a part (disk full, a failed fsync) is a 500 ServerException: the part is not counted, the
// upload carries on, and the server goes on serving.
import { randomBytes } from "node:crypto";
import { CompleteLayerUploadCommand, CreateRepositoryCommand, DescribeRepositoriesCommand, InitiateLayerUploadCommand, UploadLayerPartCommand } from "@aws-sdk/client-ecr";
import { nodeIO, type StoreIO } from "../../src/storage/embedded/io";
import { EmbeddedStore } from "../../src/storage/embedded/store";
import type { RegistryStore } from "../../src/storage/types";
import { sha256 } from "../helpers/digests";
import { failure, REGISTRY, startEcr, tempDataDir, type TestEcr } from "../helpers/ecr-server";

let t: TestEcr | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** The embedded store, with the next `writePart` or `commitPart` failing as the disk would. */
async function faultyStore(dataDir: string) {
  const real = await EmbeddedStore.open({ dataDir, fsync: true });
  const faults = { write: 0, commit: 0 };
  const diskFull = () => Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
  const store: RegistryStore = Object.create(real);
  store.writePart = async (registryId, id, bytes) => {
    if (faults.write > 0) {
      faults.write--;
      // Half the part reaches the disk before it fills up.
      let n = 0;
      const half: Uint8Array[] = [];
      for await (const chunk of bytes) {
        if (n < 1000) half.push(chunk.subarray(0, 1000 - n));
        n += chunk.byteLength;
      }
      await real.writePart(registryId, id, half);
      throw diskFull();
    }
    return real.writePart(registryId, id, bytes);
  };
  store.commitPart = async (registryId, id, next) => {
    if (faults.commit > 0) {
      faults.commit--;
      throw Object.assign(new Error("EIO: i/o error, fsync"), { code: "EIO" });
    }
    return real.commitPart(registryId, id, next);
  };
  return { store, faults };
}

test("a write or journal failure during a part is a ServerException, counts nothing, and the push completes after", async () => {
  const dataDir = tempDataDir();
  const { store, faults } = await faultyStore(dataDir);
  t = await startEcr({ dataDir, store, repositories: ["app"], settings: { minPartSize: 1 } });
  const layer = randomBytes(6000);
  const { uploadId } = await t.client.send(new InitiateLayerUploadCommand({ repositoryName: "app" }));
  const part = (first: number, bytes: Buffer) =>
    t!.client.send(new UploadLayerPartCommand({ repositoryName: "app", uploadId, partFirstByte: first, partLastByte: first + bytes.byteLength - 1, layerPartBlob: bytes }));

  await part(0, layer.subarray(0, 2000));
  faults.write = 1;
  const full = await failure(part(2000, layer.subarray(2000, 4000)));
  expect([full.name, full.$fault, full.$metadata.httpStatusCode, full.message]).toEqual([
    "ServerException",
    "server",
    500,
    "The server failed to process the request; it may be retried",
  ]);
  faults.commit = 1;
  const io = await failure(part(2000, layer.subarray(2000, 4000)));
  expect([io.name, io.$metadata.httpStatusCode]).toEqual(["ServerException", 500]);

  // Nothing was counted: the next part still starts at 2000, and the digest covers exactly the layer.
  await part(2000, layer.subarray(2000, 4000));
  await part(4000, layer.subarray(4000));
  const done = await t.client.send(new CompleteLayerUploadCommand({ repositoryName: "app", uploadId, layerDigests: [sha256(layer)] }));
  expect(done.layerDigest).toBe(sha256(layer));
});

test("a commit that fails (disk full) is a ServerException, changes nothing, and the retry succeeds as the first try", async () => {
  const dataDir = tempDataDir();
  let failNext = 0;
  const full = Object.assign(new Error("database or disk is full"), { code: "SQLITE_FULL" });
  // The change runs inside the transaction, then the disk fills before the commit: SQLite rolls it back.
  const io: StoreIO = {
    ...nodeIO,
    commit: (db, change) =>
      nodeIO.commit(db, () => {
        const result = change();
        if (failNext > 0 && failNext--) throw full;
        return result;
      }),
  };
  const store = await EmbeddedStore.open({ dataDir, fsync: true, io });
  t = await startEcr({ dataDir, store });
  failNext = 1;
  const err = await failure(t.client.send(new CreateRepositoryCommand({ repositoryName: "app", tags: [{ Key: "team", Value: "core" }] })));
  expect([err.name, err.$metadata.httpStatusCode]).toEqual(["ServerException", 500]);
  expect((await failure(t.client.send(new DescribeRepositoriesCommand({ repositoryNames: ["app"] })))).name).toBe("RepositoryNotFoundException");
  const created = await t.client.send(new CreateRepositoryCommand({ repositoryName: "app", tags: [{ Key: "team", Value: "core" }] }));
  expect(created.repository!.repositoryName).toBe("app");
  expect(await store.getRepositoryTags(REGISTRY, "app")).toEqual([{ Key: "team", Value: "core" }]);
});
