// podman and skopeo push and pull real images through this server after `aws ecr get-login-password | podman login`,
// and what they push is what the API shows, and the reverse. Images are made in the test: a rootfs tar imported by
// podman, an OCI layout made with umoci, a multi-arch index written beside it. Nothing needs a daemon.
import { CreateRepositoryCommand, DescribeImagesCommand, type ImageDetail } from "@aws-sdk/client-ecr";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ecrClient } from "../helpers/ecr-client";
import { startEcr, type TestEcr } from "../helpers/ecr-server";
import { sha256 } from "../helpers/digests";
import { run as runAsync } from "../helpers/run";
import { awsTools, describeWith, registryTools } from "../helpers/requirements";

const OWNER = { accessKeyId: "AKIDPUSHER", secretAccessKey: "pusher-secret", accountId: "123456789012" };
const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX = "application/vnd.oci.image.index.v1+json";

describeWith({ met: awsTools.met && registryTools.met, why: `${awsTools.why}; ${registryTools.why}` }, "podman and skopeo against the server", () => {
  let t: TestEcr;
  let dir: string;
  let host: string;
  let clock = Date.now();
  const env = () => ({
    ...process.env,
    AWS_ACCESS_KEY_ID: OWNER.accessKeyId,
    AWS_SECRET_ACCESS_KEY: OWNER.secretAccessKey,
    AWS_DEFAULT_REGION: "us-east-1",
    AWS_PAGER: "",
    REGISTRY_AUTH_FILE: join(dir, "auth.json"),
  });
  // Never spawnSync: the server answering these tools lives in this process.
  const run = (command: string, args: string[]) => runAsync(command, args, { env: env(), cwd: dir });
  const podman = (...args: string[]) =>
    run("podman", ["--root", join(dir, "storage"), "--runroot", join(dir, "run"), "--storage-driver", "vfs", "--cgroup-manager", "cgroupfs", "--events-backend", "file", ...args]);
  const skopeo = (...args: string[]) => run("skopeo", args);
  const ok = (r: { status: number | null; stderr: string }) => {
    if (r.status !== 0) throw new Error(r.stderr);
  };
  const login = async () => ok(await run("bash", ["-c", `aws ecr get-login-password --endpoint-url ${t.url} | podman --root ${join(dir, "storage")} --runroot ${join(dir, "run")} --storage-driver vfs login --username AWS --password-stdin --tls-verify=false ${host}`]));
  const describeImages = async (repositoryName: string): Promise<ImageDetail[]> =>
    (await t.client.send(new DescribeImagesCommand({ repositoryName }))).imageDetails!;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "ecr-clients-"));
    t = await startEcr({
      auth: { mode: "sigv4", credentials: { [OWNER.accessKeyId]: { secretAccessKey: OWNER.secretAccessKey, accountId: OWNER.accountId } } },
      repositories: ["podman/app", "skopeo/app", "skopeo/multi"],
      now: () => clock,
    });
    t.client = ecrClient(t.url, { credentials: OWNER });
    await t.client.send(new CreateRepositoryCommand({ repositoryName: "podman/fixed", imageTagMutability: "IMMUTABLE" }));
    host = new URL(t.url).host;
    await login();
  }, 60_000);
  afterAll(async () => {
    await podman("rmi", "-a", "-f");
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A one-file rootfs with random content, imported as a local image. */
  async function localImage(name: string): Promise<Buffer> {
    const content = randomBytes(300_000);
    const root = join(dir, `rootfs-${name}`);
    mkdirSync(root, { recursive: true });
    writeFileSync(join(root, "payload.bin"), content);
    ok(await run("tar", ["-C", root, "-cf", join(dir, `${name}.tar`), "payload.bin"]));
    ok(await podman("import", join(dir, `${name}.tar`), `localhost/${name}:v1`));
    return content;
  }

  /** The payload file of a local image, read through `podman image mount`. */
  async function payloadOf(image: string): Promise<Buffer> {
    const mounted = await podman("image", "mount", image);
    ok(mounted);
    try {
      return readFileSync(join(mounted.stdout.trim(), "payload.bin"));
    } finally {
      await podman("image", "unmount", image);
    }
  }

  test("podman pushes after logging in with get-login-password; DescribeImages shows it; podman pulls it back byte-identical", async () => {
    const content = await localImage("app");
    ok(await podman("push", "--tls-verify=false", "localhost/app:v1", `${host}/podman/app:v1`));
    const images = await describeImages("podman/app");
    expect(images.map((i) => [i.imageTags, i.imagePushedAt instanceof Date])).toEqual([[["v1"], true]]);
    expect(images[0].imageSizeInBytes).toBeGreaterThan(300_000);

    ok(await podman("rmi", "-a", "-f"));
    ok(await podman("pull", "--tls-verify=false", `${host}/podman/app:v1`));
    expect((await payloadOf(`${host}/podman/app:v1`)).equals(content)).toBe(true);
    const inspected = JSON.parse((await podman("image", "inspect", `${host}/podman/app:v1`)).stdout)[0];
    expect(inspected.Digest).toBe(images[0].imageDigest);
  });

  test("an immutable tag refuses another image with ECR's TAG_INVALID wording", async () => {
    await localImage("one");
    await localImage("two");
    ok(await podman("push", "--tls-verify=false", "localhost/one:v1", `${host}/podman/fixed:v1`));
    const refused = await podman("push", "--tls-verify=false", "localhost/two:v1", `${host}/podman/fixed:v1`);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain("The image tag 'v1' already exists in the 'podman/fixed' repository and cannot be overwritten because the tag is immutable");
  });

  test("skopeo copies an OCI layout (umoci) to the server and back byte for byte, inspects it, deletes it", async () => {
    const layout = join(dir, "layout");
    writeFileSync(join(dir, "file.bin"), randomBytes(100_000));
    ok(await run("umoci", ["init", "--layout", layout]));
    ok(await run("umoci", ["new", "--image", `${layout}:v1`]));
    ok(await run("umoci", ["insert", "--image", `${layout}:v1`, join(dir, "file.bin"), "/file.bin"]));
    const creds = ["--dest-creds", `AWS:${await loginPassword()}`, "--dest-tls-verify=false"];
    ok(await skopeo("copy", ...creds, `oci:${layout}:v1`, `docker://${host}/skopeo/app:v1`));

    const index = JSON.parse(readFileSync(join(layout, "index.json"), "utf8"));
    const manifestDigest = index.manifests.find((m: { annotations?: Record<string, string> }) => m.annotations?.["org.opencontainers.image.ref.name"] === "v1").digest as string;
    const pushed = await describeImages("skopeo/app");
    expect(pushed.map((i) => [i.imageDigest, i.imageTags, i.imageManifestMediaType])).toEqual([[manifestDigest, ["v1"], OCI_MANIFEST]]);
    const srcCreds = ["--creds", `AWS:${await loginPassword()}`, "--tls-verify=false"];
    const raw = await skopeo("inspect", ...srcCreds, "--raw", `docker://${host}/skopeo/app:v1`);
    expect(sha256(raw.stdout)).toBe(manifestDigest);

    const back = join(dir, "back");
    ok(await skopeo("copy", "--src-creds", `AWS:${await loginPassword()}`, "--src-tls-verify=false", `docker://${host}/skopeo/app:v1`, `oci:${back}:v1`));
    // The manifest, its config and its layer come back as the same bytes.
    const manifest = JSON.parse(readFileSync(join(layout, "blobs", "sha256", manifestDigest.slice(7)), "utf8"));
    const digests = [manifestDigest, manifest.config.digest, ...manifest.layers.map((l: { digest: string }) => l.digest)] as string[];
    expect(digests).toHaveLength(3);
    for (const d of digests) {
      expect(readFileSync(join(back, "blobs", "sha256", d.slice(7))).equals(readFileSync(join(layout, "blobs", "sha256", d.slice(7))))).toBe(true);
    }

    ok(await skopeo("delete", ...srcCreds, `docker://${host}/skopeo/app:v1`));
    expect(await describeImages("skopeo/app")).toEqual([]);
  });

  test("skopeo copies a multi-arch index with --all; the API shows the index and its images", async () => {
    const layout = join(dir, "multi");
    ok(await run("umoci", ["init", "--layout", layout]));
    const platforms = [
      { architecture: "amd64", os: "linux" },
      { architecture: "arm64", os: "linux" },
    ];
    const manifests = [];
    for (const p of platforms) {
      writeFileSync(join(dir, `${p.architecture}.bin`), randomBytes(50_000));
      ok(await run("umoci", ["new", "--image", `${layout}:${p.architecture}`]));
      ok(await run("umoci", ["config", "--image", `${layout}:${p.architecture}`, "--architecture", p.architecture, "--os", p.os]));
      ok(await run("umoci", ["insert", "--image", `${layout}:${p.architecture}`, join(dir, `${p.architecture}.bin`), `/${p.architecture}.bin`]));
      const entry = JSON.parse(readFileSync(join(layout, "index.json"), "utf8")).manifests.find(
        (m: { annotations?: Record<string, string> }) => m.annotations?.["org.opencontainers.image.ref.name"] === p.architecture,
      );
      manifests.push({ mediaType: OCI_MANIFEST, digest: entry.digest, size: entry.size, platform: p });
    }
    const indexText = JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests });
    writeFileSync(join(layout, "blobs", "sha256", sha256(indexText).slice(7)), indexText);
    const layoutIndex = JSON.parse(readFileSync(join(layout, "index.json"), "utf8"));
    layoutIndex.manifests.push({ mediaType: OCI_INDEX, digest: sha256(indexText), size: indexText.length, annotations: { "org.opencontainers.image.ref.name": "multi" } });
    writeFileSync(join(layout, "index.json"), JSON.stringify(layoutIndex));

    ok(await skopeo("copy", "--all", "--dest-creds", `AWS:${await loginPassword()}`, "--dest-tls-verify=false", `oci:${layout}:multi`, `docker://${host}/skopeo/multi:v1`));
    const images = await describeImages("skopeo/multi");
    const byDigest = Object.fromEntries(images.map((i) => [i.imageDigest, [i.imageTags ?? [], i.imageManifestMediaType]]));
    expect(byDigest).toEqual({
      [sha256(indexText)]: [["v1"], OCI_INDEX],
      [manifests[0].digest]: [[], OCI_MANIFEST],
      [manifests[1].digest]: [[], OCI_MANIFEST],
    });
    const raw = await skopeo("inspect", "--creds", `AWS:${await loginPassword()}`, "--tls-verify=false", "--raw", `docker://${host}/skopeo/multi:v1`);
    expect(raw.stdout).toBe(indexText);
  });

  test("refused: pulling without logging in, and with a token past its expiry", async () => {
    const anonymous = await runAsync("skopeo", ["inspect", "--no-creds", "--tls-verify=false", `docker://${host}/podman/app:v1`]);
    expect(anonymous.status).not.toBe(0);
    expect(anonymous.stderr).toMatch(/unauthorized|authentication required/i);

    clock += 12 * 3600 * 1000 + 1000;
    try {
      const expired = await podman("pull", "--tls-verify=false", `${host}/podman/app:v1`);
      expect(expired.status).not.toBe(0);
      expect(expired.stderr).toContain("Your authorization token has expired. Reauthenticate and try again.");
    } finally {
      clock -= 12 * 3600 * 1000 + 1000;
    }
  });

  async function loginPassword(): Promise<string> {
    const r = await run("aws", ["ecr", "get-login-password", "--endpoint-url", t.url]);
    ok(r);
    return r.stdout.trim();
  }
});
