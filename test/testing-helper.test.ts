// `ecr-layer-server/testing`: a fresh server per suite, whose close() removes only the data dir it made itself.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateRepositoryCommand, DescribeRepositoriesCommand, ECRClient } from "@aws-sdk/client-ecr";
import { startTestEcr } from "../src/testing";

test("serves the SDK from clientConfig on an ephemeral port, and close() removes its temporary data dir", async () => {
  const ecr = await startTestEcr({ registryId: "123456789012" });
  expect(ecr.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(ecr.host).toBe(ecr.url.slice("http://".length));
  const client = new ECRClient(ecr.clientConfig);
  await client.send(new CreateRepositoryCommand({ repositoryName: "app" }));
  const { repositories } = await client.send(new DescribeRepositoriesCommand({}));
  expect(repositories!.map((r) => r.repositoryUri)).toEqual(["123456789012.dkr.ecr.us-east-1.amazonaws.com/app"]);
  await ecr.close();
  expect(existsSync(ecr.dataDir)).toBe(false);
  await ecr.close(); // a second close is harmless
});

test("a data dir the caller gave is kept, with what was stored in it", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "ecr-mine-"));
  try {
    const first = await startTestEcr({ dataDir });
    await new ECRClient(first.clientConfig).send(new CreateRepositoryCommand({ repositoryName: "kept" }));
    await first.close();
    expect(existsSync(dataDir)).toBe(true);
    const second = await startTestEcr({ dataDir });
    const { repositories } = await new ECRClient(second.clientConfig).send(new DescribeRepositoriesCommand({}));
    expect(repositories!.map((r) => r.repositoryName)).toEqual(["kept"]);
    await second.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
