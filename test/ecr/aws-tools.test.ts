// The aws CLI and boto3 (Debian's packages, which .ci/run installs) against a live server: the README's example
// exactly as written, and errors read from the body's __type.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { randomBytes } from "node:crypto";
import { CreateRepositoryCommand } from "@aws-sdk/client-ecr";
import { RegistryPasswords } from "../../src/ecr/registry-passwords";
import { startEcr, type TestEcr } from "../helpers/ecr-server";
import { ociManifest, pushBlob, putImage } from "../helpers/push";
import { describeWith, awsTools } from "../helpers/requirements";
import { run } from "../helpers/run";

const AWS = "/usr/bin/aws";
const PYTHON = "/usr/bin/python3";

describeWith(awsTools, "the aws CLI and boto3", () => {
  let t: TestEcr;
  let work: string;
  beforeAll(async () => {
    t = await startEcr({ repositories: ["app"], settings: { minPartSize: 1 } });
    work = mkdtempSync(join(tmpdir(), "ecr-tools-"));
  });
  afterAll(async () => {
    await t?.close();
    rmSync(work, { recursive: true, force: true });
  });

  const env = () => ({ PATH: `/usr/bin:/bin`, HOME: work, AWS_CONFIG_FILE: "/dev/null", AWS_SHARED_CREDENTIALS_FILE: "/dev/null", AWS_EC2_METADATA_DISABLED: "true" });

  test("the README's aws CLI example pushes and checks a layer", async () => {
    const readme = readFileSync(resolve(__dirname, "../../README.md"), "utf8");
    const block = /<!-- aws-cli-example -->\n```sh\n([\s\S]*?)```\n<!-- \/aws-cli-example -->/.exec(readme)?.[1];
    expect(block).toBeDefined();
    const script = block!.replaceAll("http://127.0.0.1:8787", t.url);
    const r = await run("bash", ["-euo", "pipefail", "-c", script], { cwd: work, env: env() });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const digest = `sha256:${spawnSync("sha256sum", [join(work, "layer.bin")], { encoding: "utf8" }).stdout.split(" ")[0]}`;
    const outputs = r.stdout.trim().split(/\n(?=\{)/).map((j) => JSON.parse(j));
    expect(outputs).toEqual([
      { registryId: "123456789012", repositoryName: "app", uploadId: expect.any(String), lastByteReceived: 999999 },
      { registryId: "123456789012", repositoryName: "app", uploadId: outputs[0].uploadId, layerDigest: digest },
      {
        layers: [{ layerDigest: digest, layerAvailability: "AVAILABLE", layerSize: 1000000, mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip" }],
        failures: [],
      },
    ]);
  });

  test("the aws CLI names the error from the body's __type", async () => {
    const init = await run(AWS, ["ecr", "initiate-layer-upload", "--endpoint-url", t.url, "--region", "us-east-1", "--repository-name", "app", "--output", "json"], {
      env: { ...env(), AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test" },
    });
    const uploadId = JSON.parse(init.stdout).uploadId;
    writeFileSync(join(work, "part.bin"), Buffer.alloc(10, 7));
    const r = await run(
      AWS,
      ["ecr", "upload-layer-part", "--endpoint-url", t.url, "--region", "us-east-1", "--repository-name", "app", "--upload-id", uploadId,
        "--part-first-byte", "5", "--part-last-byte", "14", "--layer-part-blob", `fileb://${join(work, "part.bin")}`],
      { env: { ...env(), AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test" } },
    );
    expect(r.status).toBe(254);
    expect(r.stderr.trim()).toBe(
      "An error occurred (InvalidLayerPartException) when calling the UploadLayerPart operation: First byte of the layer part is 5 instead of 0",
    );
  });

  test("boto3 with the blob before the other members: JSON's member order means nothing", async () => {
    // boto3 writes members in the order of the call's keyword arguments.
    const script = `
import boto3, botocore, hashlib, json, os, sys
ecr = boto3.client("ecr", endpoint_url=sys.argv[1], region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")
up = ecr.initiate_layer_upload(repositoryName="app")["uploadId"]
out = []
out.append(ecr.upload_layer_part(layerPartBlob=b"a" * 10, registryId="123456789012", repositoryName="app", uploadId=up, partFirstByte=0, partLastByte=9)["lastByteReceived"])
try:
    # Large enough that the handler is already writing the blob when the registryId arrives.
    ecr.upload_layer_part(repositoryName="app", uploadId=up, partFirstByte=10, partLastByte=3000009, layerPartBlob=b"b" * 3000000, registryId="210987654321")
except botocore.exceptions.ClientError as e:
    out.append(e.response["Error"]["Code"])
out.append(ecr.upload_layer_part(layerPartBlob=b"c" * 10, partLastByte=19, partFirstByte=10, uploadId=up, repositoryName="app")["lastByteReceived"])
digest = "sha256:" + hashlib.sha256(b"a" * 10 + b"c" * 10).hexdigest()
out.append(ecr.complete_layer_upload(layerDigests=[digest], uploadId=up, repositoryName="app", registryId="123456789012")["layerDigest"] == digest)
print(json.dumps(out))
  `;
    const r = await run(PYTHON, ["-c", script, t.url], { env: env() });
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toEqual([9, "AccessDeniedException", 19, true]);
  });

  test("boto3 pushes a layer in parts and reads modeled errors", async () => {
    const script = `
import boto3, botocore, hashlib, json, os, sys
ecr = boto3.client("ecr", endpoint_url=sys.argv[1], region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")
layer = os.urandom(300000)
up = ecr.initiate_layer_upload(repositoryName="app")["uploadId"]
for first in range(0, len(layer), 100000):
    ecr.upload_layer_part(repositoryName="app", uploadId=up, partFirstByte=first, partLastByte=first + 99999, layerPartBlob=layer[first:first + 100000])
digest = "sha256:" + hashlib.sha256(layer).hexdigest()
done = ecr.complete_layer_upload(repositoryName="app", uploadId=up, layerDigests=[digest])
errors = []
for call in (lambda: ecr.describe_repositories(repositoryNames=["missing"]),
             lambda: ecr.complete_layer_upload(repositoryName="app", uploadId=up, layerDigests=[digest]),
             lambda: ecr.create_repository(repositoryName="NotLowerCase")):
    try:
        call()
    except botocore.exceptions.ClientError as e:
        errors.append([e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]])
print(json.dumps({"digestMatches": done["layerDigest"] == digest, "errors": errors}))
  `;
    const r = await run(PYTHON, ["-c", script, t.url], { env: env() });
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toEqual({
      digestMatches: true,
      errors: [
        ["RepositoryNotFoundException", 400],
        ["UploadNotFoundException", 400],
        ["InvalidParameterException", 400],
      ],
    });
  });

  test("the everyday image flows: get-login-password, describe-images --query, batch-delete-image, boto3's paginators", async () => {
    const creds = { ...env(), AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test" };
    const aws = (...args: string[]) => run(AWS, ["ecr", ...args, "--endpoint-url", t.url, "--region", "us-east-1", "--output", "json"], { env: creds });
    await t.client.send(new CreateRepositoryCommand({ repositoryName: "flows" }));
    const config = randomBytes(10);
    const layers = [randomBytes(1000), randomBytes(2000)];
    for (const b of [config, ...layers]) await pushBlob(t.client, b, "flows");
    const manifest = ociManifest(config, layers);
    const digest = await putImage(t.client, manifest, "v1", "flows");
    await putImage(t.client, manifest, "v2", "flows");

    const login = await aws("get-login-password");
    expect(login.status).toBe(0);
    const passwords = new RegistryPasswords(await t.ecr.store.signingKey(), Date.now, "us-east-1");
    expect(passwords.verify(login.stdout.trim())).toMatchObject({ accountId: "123456789012", principal: "arn:aws:iam::123456789012:root" });

    const described = await aws("describe-images", "--repository-name", "flows", "--query", "imageDetails[].[imageDigest,imageSizeInBytes,imageTags]");
    expect([described.stderr, JSON.parse(described.stdout)]).toEqual(["", [[digest, 3000, ["v1", "v2"]]]]);

    const deleted = await aws("batch-delete-image", "--repository-name", "flows", "--image-ids", "imageTag=v1", "imageTag=nope");
    expect(JSON.parse(deleted.stdout)).toEqual({
      imageIds: [{ imageDigest: digest, imageTag: "v1" }],
      failures: [{ imageId: { imageTag: "nope" }, failureCode: "ImageNotFound", failureReason: "Requested image not found" }],
    });

    const script = `
import boto3, json, sys
ecr = boto3.client("ecr", endpoint_url=sys.argv[1], region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")
ids = [i for page in ecr.get_paginator("list_images").paginate(repositoryName="flows", PaginationConfig={"PageSize": 1}) for i in page["imageIds"]]
details = [d["imageTags"] for page in ecr.get_paginator("describe_images").paginate(repositoryName="flows") for d in page["imageDetails"]]
print(json.dumps({"ids": ids, "tags": details}))
`;
    const r = await run(PYTHON, ["-c", script, t.url], { env: env() });
    expect([r.stderr, JSON.parse(r.stdout)]).toEqual(["", { ids: [{ imageDigest: digest, imageTag: "v2" }], tags: [["v2"]] }]);
  });

  test("policies from files: put-lifecycle-policy, a lifecycle preview, set-repository-policy, and their errors", async () => {
    const creds = { ...env(), AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test" };
    const aws = (...args: string[]) => run(AWS, ["ecr", ...args, "--endpoint-url", t.url, "--region", "us-east-1", "--output", "json"], { env: creds });
    await t.client.send(new CreateRepositoryCommand({ repositoryName: "policies" }));
    const lifecycle = {
      rules: [{ rulePriority: 1, description: "keep ten untagged images", selection: { tagStatus: "untagged", countType: "imageCountMoreThan", countNumber: 10 }, action: { type: "expire" } }],
    };
    writeFileSync(join(work, "lifecycle.json"), JSON.stringify(lifecycle));
    const put = await aws("put-lifecycle-policy", "--repository-name", "policies", "--lifecycle-policy-text", "file://" + join(work, "lifecycle.json"));
    expect([put.stderr, JSON.parse(put.stdout)]).toEqual(["", { registryId: "123456789012", repositoryName: "policies", lifecyclePolicyText: JSON.stringify(lifecycle) }]);
    const got = await aws("get-lifecycle-policy", "--repository-name", "policies", "--query", "lifecyclePolicyText");
    expect(JSON.parse(JSON.parse(got.stdout))).toEqual(lifecycle);
    const started = await aws("start-lifecycle-policy-preview", "--repository-name", "policies", "--query", "status");
    expect(JSON.parse(started.stdout)).toBe("IN_PROGRESS");
    const waited = await aws("wait", "lifecycle-policy-preview-complete", "--repository-name", "policies");
    expect([waited.status, waited.stderr]).toEqual([0, ""]);

    writeFileSync(join(work, "bad-lifecycle.json"), JSON.stringify({ rules: [{ ...lifecycle.rules[0], selection: { ...lifecycle.rules[0].selection, countUnit: "days" } }] }));
    const bad = await aws("put-lifecycle-policy", "--repository-name", "policies", "--lifecycle-policy-text", "file://" + join(work, "bad-lifecycle.json"));
    expect([bad.status, bad.stderr.trim()]).toEqual([
      254,
      "An error occurred (InvalidParameterException) when calling the PutLifecyclePolicy operation: Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure: instance failed to match exactly one schema (matched 0 out of 2)'",
    ]);

    const policy = { Version: "2012-10-17", Statement: [{ Sid: "Pull", Effect: "Allow", Principal: { AWS: "arn:aws:iam::222222222222:root" }, Action: ["ecr:BatchGetImage"] }] };
    writeFileSync(join(work, "policy.json"), JSON.stringify(policy));
    const set = await aws("set-repository-policy", "--repository-name", "policies", "--policy-text", "file://" + join(work, "policy.json"));
    expect(JSON.parse(set.stdout).policyText).toBe(JSON.stringify(policy));
    const noPolicy = await aws("get-repository-policy", "--repository-name", "app");
    expect(noPolicy.stderr.trim()).toBe(
      "An error occurred (RepositoryPolicyNotFoundException) when calling the GetRepositoryPolicy operation: Repository policy does not exist for the repository with name 'app' in the registry with id '123456789012'",
    );
  });
});
