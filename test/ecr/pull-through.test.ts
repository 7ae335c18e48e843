// The pull through cache against a real upstream: Debian's docker-registry (Basic authentication), also behind a small
// token service that answers its challenges the way Docker Hub's does (Bearer), filled by skopeo. Rules are kept and
// checked with the real SDK; pulling through BatchGetImage or /v2 (skopeo) brings an image in on first use, and a tag
// is checked again once a day, the cache served while the upstream cannot answer.
import {
  BatchGetImageCommand,
  CreatePullThroughCacheRuleCommand,
  CreateRepositoryCreationTemplateCommand,
  DeletePullThroughCacheRuleCommand,
  DescribeImagesCommand,
  DescribePullThroughCacheRulesCommand,
  DescribeRepositoriesCommand,
  GetDownloadUrlForLayerCommand,
  ListTagsForResourceCommand,
  UpdatePullThroughCacheRuleCommand,
  ValidatePullThroughCacheRuleCommand,
  type CreatePullThroughCacheRuleRequest,
} from "@aws-sdk/client-ecr";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startRegistry, type Proc } from "../../bench/processes";
import { failure, REGISTRY, startEcr, type TestEcr } from "../helpers/ecr-server";
import { writeOciLayout, type WrittenImage } from "../helpers/oci-layout";
import { describeWith } from "../helpers/requirements";
import { run } from "../helpers/run";

const tools = {
  met: ["/usr/bin/docker-registry", "/usr/bin/skopeo", "/usr/bin/python3"].every(existsSync),
  why: "the pull through cache's upstream needs Debian's docker-registry, skopeo and python3: apt-get install docker-registry skopeo",
};
const USER = "mirror";
const PASSWORD = randomBytes(8).toString("hex");
const SECRET = `arn:aws:secretsmanager:us-east-1:${REGISTRY}:secret:ecr-pullthroughcache/upstream-AbCdEf`;
const WRONG = `arn:aws:secretsmanager:us-east-1:${REGISTRY}:secret:ecr-pullthroughcache/stale-AbCdEf`;
const DAY = 24 * 60 * 60 * 1000;

/** A token service in front of the registry, as Docker Hub's: a 401 names its realm; a token from it is the Bearer. */
async function tokenFront(upstream: string): Promise<{ url: string; server: Server; tokensIssued: () => number }> {
  const tokens = new Set<string>();
  const basic = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString("base64")}`;
  let url = "";
  const server = createServer((req, res) => {
    if (req.url?.startsWith("/token")) {
      if (req.headers.authorization !== basic) return res.writeHead(401).end();
      const token = randomBytes(12).toString("hex");
      tokens.add(token);
      return res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ token, expires_in: 300 }));
    }
    const bearer = /^Bearer (\w+)$/.exec(req.headers.authorization ?? "")?.[1];
    if (!bearer || !tokens.has(bearer)) {
      return res.writeHead(401, { "www-authenticate": `Bearer realm="${url}/token",service="test-registry",scope="repository:x:pull"` }).end();
    }
    const target = new URL(upstream);
    const forward = request({ hostname: target.hostname, port: target.port, path: req.url, method: req.method, headers: { ...req.headers, authorization: basic, host: target.host } }, (answer) => {
      res.writeHead(answer.statusCode!, answer.headers);
      answer.pipe(res);
    });
    forward.on("error", () => res.writeHead(502).end());
    req.pipe(forward);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, server, tokensIssued: () => tokens.size };
}

describeWith(tools, "the pull through cache", () => {
  let upstream: Proc;
  let front: Awaited<ReturnType<typeof tokenFront>>;
  let t: TestEcr;
  let dir: string;
  let clock = Date.UTC(2026, 0, 1);
  const images = new Map<string, WrittenImage>();

  /** Pushes a new random image to the upstream as `name:tag`. */
  async function fill(name: string, tag: string): Promise<WrittenImage> {
    const image = writeOciLayout(join(dir, `${name.replace(/\//g, "_")}-${tag}-${images.size}`), tag);
    const host = new URL(upstream.url).host;
    const pushed = await run("skopeo", ["copy", "--dest-tls-verify=false", "--dest-creds", `${USER}:${PASSWORD}`, `oci:${image.path}:${tag}`, `docker://${host}/${name}:${tag}`]);
    if (pushed.status !== 0) throw new Error(pushed.stderr);
    images.set(`${name}:${tag}`, image);
    return image;
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "ecr-pull-through-"));
    const hash = await run("python3", ["-W", "ignore", "-c", `import crypt; print(crypt.crypt(${JSON.stringify(PASSWORD)}, crypt.mksalt(crypt.METHOD_BLOWFISH)))`]);
    upstream = (await startRegistry({ htpasswd: `${USER}:${hash.stdout.trim()}\n` }))!;
    front = await tokenFront(upstream.url);
    await fill("library/app", "v1");
    await fill("team/tool", "1.0");
    t = await startEcr({
      now: () => clock,
      settings: {
        // Docker Hub's host, reached at the token-serving stand-in; quay.io's, at the registry itself (Basic).
        upstreams: { "registry-1.docker.io": front.url, "quay.io": upstream.url },
        upstreamSecrets: { [SECRET]: { username: USER, accessToken: PASSWORD }, [WRONG]: { username: USER, accessToken: "not-it" } },
        upstreamTimeoutMs: 5000,
      },
    });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await upstream?.stop();
    front?.server.closeAllConnections();
    await new Promise((r) => front?.server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  const create = (input: CreatePullThroughCacheRuleRequest) => t.client.send(new CreatePullThroughCacheRuleCommand(input));
  const validate = (ecrRepositoryPrefix: string) => t.client.send(new ValidatePullThroughCacheRuleCommand({ ecrRepositoryPrefix }));
  const pull = (repositoryName: string, imageTag: string) => t.client.send(new BatchGetImageCommand({ repositoryName, imageIds: [{ imageTag }] }));

  test("rules are checked, kept, described, updated, validated against the upstream and deleted", async () => {
    const createdAt = new Date(clock);
    const noSecret = await failure(create({ ecrRepositoryPrefix: "docker-hub", upstreamRegistryUrl: "registry-1.docker.io" }));
    expect([noSecret.name, noSecret.message]).toEqual(["InvalidParameterException", "Invalid parameter at 'credentialArn' failed to satisfy constraint: 'a secret with the upstream credentials is required for docker-hub'"]);
    const unknown = await failure(create({ ecrRepositoryPrefix: "elsewhere", upstreamRegistryUrl: "registry.example.com" }));
    expect([unknown.name, unknown.message]).toEqual([
      "UnsupportedUpstreamRegistryException",
      "The upstream registry 'registry.example.com' is not supported: it is none of ECR's, and this server maps no such host (--upstream)",
    ]);
    const missingSecret = `arn:aws:secretsmanager:us-east-1:${REGISTRY}:secret:ecr-pullthroughcache/nothing-AbCdEf`;
    const noSuchSecret = await failure(create({ ecrRepositoryPrefix: "docker-hub", upstreamRegistryUrl: "registry-1.docker.io", credentialArn: missingSecret }));
    expect([noSuchSecret.name, noSuchSecret.message]).toEqual(["SecretNotFoundException", `The secret '${missingSecret}' does not exist (this server's upstream secrets stand in for Secrets Manager)`]);
    const theirs = `arn:aws:secretsmanager:us-east-1:210987654321:secret:ecr-pullthroughcache/upstream-AbCdEf`;
    const foreign = await failure(create({ ecrRepositoryPrefix: "docker-hub", upstreamRegistryUrl: "registry-1.docker.io", credentialArn: theirs }));
    expect([foreign.name, foreign.message]).toEqual([
      "UnableToAccessSecretException",
      `The secret '${theirs}' is not the registry's: a rule may use only secrets of account ${REGISTRY} in us-east-1`,
    ]);
    const badPrefix = await failure(create({ ecrRepositoryPrefix: "Docker", upstreamRegistryUrl: "quay.io" }));
    expect(badPrefix.name).toBe("InvalidParameterException");

    const made = await create({ ecrRepositoryPrefix: "docker-hub", upstreamRegistryUrl: "registry-1.docker.io", credentialArn: SECRET });
    expect(made).toEqual(expect.objectContaining({ ecrRepositoryPrefix: "docker-hub", upstreamRegistryUrl: "registry-1.docker.io", upstreamRegistry: "docker-hub", credentialArn: SECRET, registryId: REGISTRY, createdAt }));
    await create({ ecrRepositoryPrefix: "quay", upstreamRegistryUrl: "quay.io", credentialArn: SECRET });
    const dup = await failure(create({ ecrRepositoryPrefix: "quay", upstreamRegistryUrl: "quay.io" }));
    expect([dup.name, dup.message]).toEqual(["PullThroughCacheRuleAlreadyExistsException", `A pull through cache rule with prefix 'quay' already exists in the registry with id '${REGISTRY}'`]);

    const all = await t.client.send(new DescribePullThroughCacheRulesCommand({}));
    expect(all.pullThroughCacheRules!.map((r) => [r.ecrRepositoryPrefix, r.upstreamRegistry])).toEqual([["docker-hub", "docker-hub"], ["quay", "quay"]]);
    const paged = await t.client.send(new DescribePullThroughCacheRulesCommand({ maxResults: 1 }));
    expect(paged.pullThroughCacheRules!.map((r) => r.ecrRepositoryPrefix)).toEqual(["docker-hub"]);
    const next = await t.client.send(new DescribePullThroughCacheRulesCommand({ maxResults: 1, nextToken: paged.nextToken }));
    expect([next.pullThroughCacheRules!.map((r) => r.ecrRepositoryPrefix), next.nextToken]).toEqual([["quay"], undefined]);
    const none = await failure(t.client.send(new DescribePullThroughCacheRulesCommand({ ecrRepositoryPrefixes: ["quay", "nope"] })));
    expect([none.name, none.message]).toEqual(["PullThroughCacheRuleNotFoundException", `The pull through cache rule with prefix 'nope' does not exist in the registry with id '${REGISTRY}'`]);

    // Validation really asks the upstream: through the token service, and directly with Basic.
    const issued = front.tokensIssued();
    expect(await validate("docker-hub")).toEqual(expect.objectContaining({ ecrRepositoryPrefix: "docker-hub", upstreamRegistryUrl: "registry-1.docker.io", credentialArn: SECRET, isValid: true }));
    expect(front.tokensIssued()).toBe(issued + 1);
    expect((await validate("quay")).isValid).toBe(true);
    clock += 1000;
    const updated = await t.client.send(new UpdatePullThroughCacheRuleCommand({ ecrRepositoryPrefix: "quay", credentialArn: WRONG }));
    expect(updated).toEqual(expect.objectContaining({ ecrRepositoryPrefix: "quay", credentialArn: WRONG, registryId: REGISTRY, updatedAt: new Date(clock) }));
    expect(await validate("quay")).toEqual(expect.objectContaining({ isValid: false, failure: "The upstream registry answered 401 to /v2/" }));
    await t.client.send(new UpdatePullThroughCacheRuleCommand({ ecrRepositoryPrefix: "quay", credentialArn: SECRET }));
    expect((await validate("quay")).isValid).toBe(true);

    await create({ ecrRepositoryPrefix: "gone", upstreamRegistryUrl: "quay.io" });
    expect((await validate("gone")).isValid).toBe(false);
    const deleted = await t.client.send(new DeletePullThroughCacheRuleCommand({ ecrRepositoryPrefix: "gone" }));
    expect(deleted).toEqual(expect.objectContaining({ ecrRepositoryPrefix: "gone", upstreamRegistryUrl: "quay.io", registryId: REGISTRY, createdAt: new Date(clock) }));
    const again = await failure(t.client.send(new DeletePullThroughCacheRuleCommand({ ecrRepositoryPrefix: "gone" })));
    expect(again.name).toBe("PullThroughCacheRuleNotFoundException");
    const unvalidated = await failure(validate("gone"));
    expect(unvalidated.name).toBe("PullThroughCacheRuleNotFoundException");
  });

  test("BatchGetImage brings an image in on first use, into a repository made from the PULL_THROUGH_CACHE template", async () => {
    await t.client.send(new CreateRepositoryCreationTemplateCommand({ prefix: "docker-hub", appliedFor: ["PULL_THROUGH_CACHE"], resourceTags: [{ Key: "cache", Value: "docker-hub" }] }));
    const want = images.get("library/app:v1")!;
    const got = await pull("docker-hub/library/app", "v1");
    expect(got.failures).toEqual([]);
    expect(got.images!.map((i) => [i.imageId!.imageDigest, i.imageManifest])).toEqual([[want.digest, want.manifest]]);
    const repo = (await t.client.send(new DescribeRepositoriesCommand({ repositoryNames: ["docker-hub/library/app"] }))).repositories![0];
    expect((await t.client.send(new ListTagsForResourceCommand({ resourceArn: repo.repositoryArn }))).tags).toEqual([{ Key: "cache", Value: "docker-hub" }]);
    const layerDigest = JSON.parse(want.manifest).layers[0].digest;
    const { downloadUrl } = await t.client.send(new GetDownloadUrlForLayerCommand({ repositoryName: "docker-hub/library/app", layerDigest }));
    expect(Buffer.from(await (await fetch(downloadUrl!)).arrayBuffer())).toEqual(want.layer);

    // Not upstream: not found, saying why.
    const missing = await pull("docker-hub/library/app", "v9");
    expect(missing.failures).toEqual([
      { imageId: { imageTag: "v9" }, failureCode: "ImageNotFound", failureReason: "Requested image not found; the pull through cache could not fetch it: The upstream registry has no library/app:v9" },
    ]);
    // A tag that is no tag is not sent upstream (it would become part of the upstream's URL).
    const odd = await pull("docker-hub/library/app", "v1?x=1");
    expect(odd.failures!.map((f) => [f.failureCode, f.failureReason])).toEqual([["InvalidImageTag", "Invalid request parameters: 'v1?x=1' is not a valid image tag"]]);
    const nowhere = await failure(pull("docker-hub/library/none", "v1"));
    expect(nowhere.name).toBe("RepositoryNotFoundException");
    // A repository no rule covers is not looked for upstream.
    const uncovered = await failure(pull("library/app", "v1"));
    expect(uncovered.name).toBe("RepositoryNotFoundException");
  });

  test("skopeo pulls through /v2: the image is fetched, kept, and the same bytes come back", async () => {
    const host = new URL(t.url).host;
    const out = join(dir, "pulled");
    const pulled = await run("skopeo", ["copy", "--src-tls-verify=false", `docker://${host}/quay/team/tool:1.0`, `oci:${out}:1.0`]);
    expect(pulled.stderr).toBe("");
    expect(pulled.status).toBe(0);
    const want = images.get("team/tool:1.0")!;
    const index = JSON.parse(readFileSync(join(out, "index.json"), "utf8"));
    expect(index.manifests[0].digest).toBe(want.digest);
    const layerDigest: string = JSON.parse(want.manifest).layers[0].digest;
    expect(readFileSync(join(out, "blobs", "sha256", layerDigest.slice(7)))).toEqual(want.layer);
    const described = await t.client.send(new DescribeImagesCommand({ repositoryName: "quay/team/tool" }));
    expect(described.imageDetails!.map((d) => [d.imageDigest, d.imageTags])).toEqual([[want.digest, ["1.0"]]]);
  }, 60_000);

  test("a tag is checked upstream again once a day; meanwhile, and while the upstream is down, the cache is served", async () => {
    const first = images.get("library/app:v1")!;
    const second = await fill("library/app", "v1");
    expect((await pull("docker-hub/library/app", "v1")).images![0].imageId!.imageDigest).toBe(first.digest);
    clock += DAY + 1;
    expect((await pull("docker-hub/library/app", "v1")).images![0].imageId!.imageDigest).toBe(second.digest);
    // The first image stays, untagged.
    const details = await t.client.send(new DescribeImagesCommand({ repositoryName: "docker-hub/library/app" }));
    expect(details.imageDetails!.map((d) => d.imageDigest).sort()).toEqual([first.digest, second.digest].sort());

    await upstream.stop();
    clock += DAY + 1;
    const cached = await pull("docker-hub/library/app", "v1");
    expect([cached.images!.map((i) => i.imageId!.imageDigest), cached.failures]).toEqual([[second.digest], []]);
    const unreachable = await validate("docker-hub");
    expect(unreachable.isValid).toBe(false);
    expect(unreachable.failure).toBe("The upstream registry answered 502 to /v2/");
    const quay = await validate("quay");
    expect(quay.failure).toBe(`The upstream registry could not be reached at ${upstream.url}: ECONNREFUSED`);
  }, 60_000);
});
