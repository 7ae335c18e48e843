// Managed signing with the real SDK: the registry's signing rules stored per registry and checked by the model, and
// an image's signing status read from the Notary signatures actually attached to it as referrers.
import { randomBytes } from "node:crypto";
import {
  CreateRepositoryCommand,
  DeleteSigningConfigurationCommand,
  DescribeImageSigningStatusCommand,
  GetSigningConfigurationCommand,
  PutSigningConfigurationCommand,
  type SigningRule,
} from "@aws-sdk/client-ecr";
import { sha256 } from "../helpers/digests";
import { failure, REGISTRY, startEcr, tempDataDir, type TestEcr } from "../helpers/ecr-server";
import { ociManifest, pushBlob, putImage } from "../helpers/push";

const PROFILE_VERSION = "com.amazonaws.signer.signingProfileVersion";
const PROFILE_A = `arn:aws:signer:us-east-1:${REGISTRY}:/signing-profiles/apps_profile`;
const PROFILE_B = `arn:aws:signer:us-east-1:${REGISTRY}:/signing-profiles/everything`;
const RULES: SigningRule[] = [
  { signingProfileArn: PROFILE_A, repositoryFilters: [{ filter: "apps/*", filterType: "WILDCARD_MATCH" }] },
  { signingProfileArn: PROFILE_B },
];

const dataDir = tempDataDir();
let t: TestEcr;
const start = async () => {
  t = await startEcr({ dataDir, settings: { minPartSize: 1 } });
};
beforeAll(start);
afterAll(() => t.close());

const put = (rules: SigningRule[]) => t.client.send(new PutSigningConfigurationCommand({ signingConfiguration: { rules } }));
const get = () => t.client.send(new GetSigningConfigurationCommand({}));
const del = () => t.client.send(new DeleteSigningConfigurationCommand({}));
const NOT_FOUND = ["SigningConfigurationNotFoundException", `Signing configuration does not exist in the registry with id '${REGISTRY}'`];

describe("the signing configuration", () => {
  test("none until put: Get and Delete are SigningConfigurationNotFoundException", async () => {
    for (const call of [get(), del()]) {
      const err = await failure(call);
      expect([err.name, err.message]).toEqual(NOT_FOUND);
    }
  });

  test("put, got as given (after a restart too), and deleted with its rules returned", async () => {
    expect((await put(RULES)).signingConfiguration).toEqual({ rules: RULES });
    await t.stop();
    await start();
    expect(await get()).toEqual(expect.objectContaining({ registryId: REGISTRY, signingConfiguration: { rules: RULES } }));
    const deleted = await del();
    expect([deleted.registryId, deleted.signingConfiguration]).toEqual([REGISTRY, { rules: RULES }]);
    expect((await failure(get())).name).toBe(NOT_FOUND[0]);
  });

  const at = "Invalid parameter at 'signingConfiguration.rules";
  test.each([
    [
      "a profile ARN that is not a Signer profile's",
      [{ signingProfileArn: "arn:aws:iam::123456789012:role/x" }],
      `${at}.1.member.signingProfileArn' failed to satisfy constraint: 'must satisfy regular expression '^arn:aws(-[a-z]+)*:signer:[a-z0-9-]+:[0-9]{12}:\\/signing-profiles\\/[a-zA-Z0-9_]{2,}$''`,
    ],
    ["more than 10 rules", Array.from({ length: 11 }, () => ({ signingProfileArn: PROFILE_B })), `${at}' failed to satisfy constraint: 'must have length less than or equal to 10'`],
    ["an empty filter list", [{ signingProfileArn: PROFILE_B, repositoryFilters: [] }], `${at}.1.member.repositoryFilters' failed to satisfy constraint: 'must have length greater than or equal to 1'`],
    [
      "a filter type ECR does not know",
      [{ signingProfileArn: PROFILE_B, repositoryFilters: [{ filter: "x", filterType: "PREFIX" }] }],
      `${at}.1.member.repositoryFilters.1.member.filterType' failed to satisfy constraint: 'must satisfy enum value set: [WILDCARD_MATCH]'`,
    ],
  ])("%s is InvalidParameterException, and nothing is stored", async (_what, rules, message) => {
    const err = await failure(put(rules as SigningRule[]));
    expect([err.name, err.message]).toEqual(["InvalidParameterException", message]);
    expect((await failure(get())).name).toBe(NOT_FOUND[0]);
  });
});

describe("an image's signing status", () => {
  const empty = Buffer.from("{}");
  const push = async (repositoryName: string, tag: string) => {
    const config = randomBytes(30);
    const layer = randomBytes(60);
    await pushBlob(t.client, config, repositoryName);
    await pushBlob(t.client, layer, repositoryName);
    return putImage(t.client, ociManifest(config, [layer]), tag, repositoryName);
  };
  /** A Notary signature of `digest`, naming the Signer profile version that made it (when given). */
  const sign = async (repositoryName: string, digest: string, profileVersion?: string, artifactType = "application/vnd.cncf.notary.signature", signatureBlob: Buffer = randomBytes(80)) => {
    await pushBlob(t.client, empty, repositoryName).catch((e) => {
      if (e.name !== "LayerAlreadyExistsException") throw e;
    });
    await pushBlob(t.client, signatureBlob, repositoryName);
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      artifactType,
      config: { mediaType: "application/vnd.oci.empty.v1+json", size: 2, digest: sha256(empty) },
      layers: [{ mediaType: "application/jose+json", size: signatureBlob.byteLength, digest: sha256(signatureBlob) }],
      subject: { mediaType: "application/vnd.oci.image.manifest.v1+json", size: 1, digest },
      annotations: profileVersion ? { "com.amazonaws.signer.signingProfileVersion": profileVersion } : {},
    });
    return putImage(t.client, manifest, undefined, repositoryName);
  };
  const status = async (repositoryName: string, imageTag: string) =>
    (await t.client.send(new DescribeImageSigningStatusCommand({ repositoryName, imageId: { imageTag } }))).signingStatuses;

  beforeAll(async () => {
    for (const repositoryName of ["apps/web", "tools"]) await t.client.send(new CreateRepositoryCommand({ repositoryName }));
  });
  afterEach(() => del().catch(() => undefined));

  test("IN_PROGRESS for each profile whose rule covered the image at push, COMPLETE once that profile's signature is attached", async () => {
    await push("apps/web", "old");
    await put(RULES);
    const web = await push("apps/web", "v1");
    const tool = await push("tools", "v1");
    expect(await status("apps/web", "v1")).toEqual([
      { signingProfileArn: PROFILE_A, status: "IN_PROGRESS" },
      { signingProfileArn: PROFILE_B, status: "IN_PROGRESS" },
    ]);
    expect(await status("tools", "v1")).toEqual([{ signingProfileArn: PROFILE_B, status: "IN_PROGRESS" }]);
    // Neither an unnamed signature, another kind of referrer, nor a name below a profile's version counts.
    await sign("apps/web", web);
    await sign("apps/web", web, `${PROFILE_A}/v1`, "application/vnd.example.sbom");
    await sign("apps/web", web, `${PROFILE_A}/v1/extra`);
    expect((await status("apps/web", "v1"))!.map((s) => s.status)).toEqual(["IN_PROGRESS", "IN_PROGRESS"]);
    const signature = await sign("apps/web", web, `${PROFILE_A}/Zx8Kp2Lm`);
    expect(await status("apps/web", "v1")).toEqual([
      { signingProfileArn: PROFILE_A, status: "COMPLETE" },
      { signingProfileArn: PROFILE_B, status: "IN_PROGRESS" },
    ]);
    await sign("tools", tool, `${PROFILE_B}/v2`);
    expect(await status("tools", "v1")).toEqual([{ signingProfileArn: PROFILE_B, status: "COMPLETE" }]);
    // An image pushed before the rules were put was not covered; a signature is never itself signed.
    expect(await status("apps/web", "old")).toEqual([]);
    const own = await t.client.send(new DescribeImageSigningStatusCommand({ repositoryName: "apps/web", imageId: { imageDigest: signature } }));
    expect(own.signingStatuses).toEqual([]);
    // What covered an image stays with it: putting other rules, or deleting them, changes no image pushed before.
    await put([{ signingProfileArn: PROFILE_B, repositoryFilters: [{ filter: "nothing", filterType: "WILDCARD_MATCH" }] }]);
    expect((await status("apps/web", "v1"))!.map((s) => s.status)).toEqual(["COMPLETE", "IN_PROGRESS"]);
    await del();
    expect((await status("tools", "v1"))!.map((s) => s.status)).toEqual(["COMPLETE"]);
  });

  test("a signature named in its JWS envelope's protected header, as notation with Signer's plugin writes it, counts", async () => {
    await put([{ signingProfileArn: PROFILE_B }]);
    const digest = await push("tools", "enveloped");
    const header = Buffer.from(JSON.stringify({ alg: "PS384", cty: "application/vnd.cncf.notary.payload.v1+json", [PROFILE_VERSION]: `${PROFILE_B}/a1b2c3d4e5` })).toString("base64url");
    const envelope = Buffer.from(JSON.stringify({ payload: "e30", protected: header, header: {}, signature: "c2ln" }));
    await sign("tools", digest, undefined, undefined, envelope);
    expect(await status("tools", "enveloped")).toEqual([{ signingProfileArn: PROFILE_B, status: "COMPLETE" }]);
  });

  test("the answer names the image by digest and tag; an unknown image or repository is ECR's error", async () => {
    const digest = await push("tools", "named");
    const out = await t.client.send(new DescribeImageSigningStatusCommand({ repositoryName: "tools", imageId: { imageTag: "named" } }));
    expect([out.registryId, out.repositoryName, out.imageId, out.signingStatuses]).toEqual([REGISTRY, "tools", { imageDigest: digest, imageTag: "named" }, []]);
    const image = await failure(t.client.send(new DescribeImageSigningStatusCommand({ repositoryName: "tools", imageId: { imageTag: "nope" } })));
    expect(image.name).toBe("ImageNotFoundException");
    const other = await push("tools", "other");
    const mismatch = await failure(t.client.send(new DescribeImageSigningStatusCommand({ repositoryName: "tools", imageId: { imageTag: "named", imageDigest: other } })));
    expect([mismatch.name, mismatch.message]).toEqual(["InvalidParameterException", `Tag 'named' points at digest '${digest}', not at the requested digest`]);
    const repo = await failure(t.client.send(new DescribeImageSigningStatusCommand({ repositoryName: "nope", imageId: { imageTag: "v1" } })));
    expect([repo.name, repo.message]).toEqual(["RepositoryNotFoundException", `The repository with name 'nope' does not exist in the registry with id '${REGISTRY}'`]);
  });
});
