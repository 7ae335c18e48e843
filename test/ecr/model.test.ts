// model/ecr.json must agree with AWS's ECR model on every fact the server depends on, for the served operations.
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { DOC_PLACEHOLDER } from "../../codegen/import-operations";
import { Model, type Shape } from "../../codegen/model";
import { REFERENCE_MODEL } from "../helpers/reference";
import { describeWith, referenceModel } from "../helpers/requirements";

const SERVICE = "com.amazonaws.ecr#AmazonEC2ContainerRegistry_V20150921";
const SERVED = [
  "BatchCheckLayerAvailability", "BatchDeleteImage", "BatchGetImage", "BatchGetRepositoryScanningConfiguration",
  "CompleteLayerUpload", "CreatePullThroughCacheRule", "CreateRepository", "CreateRepositoryCreationTemplate",
  "DeleteLifecyclePolicy", "DeletePullThroughCacheRule", "DeleteRegistryPolicy", "DeleteRepository",
  "DeleteRepositoryCreationTemplate", "DeleteRepositoryPolicy", "DeleteSigningConfiguration",
  "DeregisterPullTimeUpdateExclusion", "DescribeImageReplicationStatus", "DescribeImages",
  "DescribeImageScanFindings", "DescribeImageSigningStatus", "DescribePullThroughCacheRules", "DescribeRegistry",
  "DescribeRepositories", "DescribeRepositoryCreationTemplates", "GetAccountSetting", "GetAuthorizationToken",
  "GetDownloadUrlForLayer", "GetLifecyclePolicy", "GetLifecyclePolicyPreview", "GetRegistryPolicy",
  "GetRegistryScanningConfiguration", "GetRepositoryPolicy", "GetSigningConfiguration", "InitiateLayerUpload",
  "ListImageReferrers", "ListImages", "ListPullTimeUpdateExclusions", "ListTagsForResource", "PutAccountSetting",
  "PutImage", "PutImageScanningConfiguration", "PutImageTagMutability", "PutLifecyclePolicy", "PutRegistryPolicy",
  "PutRegistryScanningConfiguration", "PutReplicationConfiguration", "PutSigningConfiguration",
  "RegisterPullTimeUpdateExclusion", "SetRepositoryPolicy", "StartImageScan", "StartLifecyclePolicyPreview",
  "TagResource", "UntagResource", "UpdateImageStorageClass", "UpdatePullThroughCacheRule",
  "UpdateRepositoryCreationTemplate", "UploadLayerPart", "ValidatePullThroughCacheRule",
];
const FACT_TRAITS = ["required", "default", "length", "pattern", "range", "enumValue", "error", "httpError", "uniqueItems", "sparse"]
  .map((t) => `smithy.api#${t}`);

describeWith(referenceModel, "model/ecr.json against AWS's published model", () => {
  const ours = Model.load(resolve(__dirname, "../../model/ecr.json"));
  const aws = Model.load(REFERENCE_MODEL);

  function facts(traits: Record<string, unknown> | undefined) {
    return Object.fromEntries(Object.entries(traits ?? {}).filter(([t]) => FACT_TRAITS.includes(t)).sort());
  }

  /** The facts of a shape that the project's model must share with AWS's. */
  function shapeFacts(s: Shape) {
    const ref = (r?: { target: string; traits?: Record<string, unknown> }) => r && { target: r.target, traits: facts(r.traits) };
    return {
      type: s.type,
      traits: facts(s.traits),
      members: s.members && Object.fromEntries(Object.entries(s.members).map(([m, r]) => [m, ref(r)])),
      member: ref(s.member),
      key: ref(s.key),
      value: ref(s.value),
      input: s.input?.target,
      output: s.output?.target,
      errors: s.errors?.map((e) => e.target).sort(),
    };
  }

  describe("model/ecr.json against AWS's ECR model", () => {
    test("the service is AWS's, bound to exactly the served operations", () => {
      const [id, service] = ours.service();
      expect(id).toBe(SERVICE);
      expect(service.version).toBe("2015-09-21");
      expect(service.traits?.["aws.protocols#awsJson1_1"]).toEqual({});
      expect(service.traits?.["aws.auth#sigv4"]).toEqual({ name: "ecr" });
      expect(ours.operations(SERVICE).map((o) => o.split("#")[1])).toEqual(SERVED);
    });

    test("it serves every operation of AWS's: 58 of 58", () => {
      expect(aws.operations(SERVICE).map((o) => o.split("#")[1])).toEqual(SERVED);
      expect(SERVED.length).toBe(58);
    });

    test("it defines exactly the shapes the served operations reach in AWS's model", () => {
      const awsClosure = new Set<string>();
      const stack = SERVED.map((o) => `com.amazonaws.ecr#${o}`);
      while (stack.length) {
        const id = stack.pop()!;
        if (awsClosure.has(id) || id.startsWith("smithy.api#")) continue;
        awsClosure.add(id);
        const s = aws.shape(id);
        for (const r of [s.input, s.output, s.member, s.key, s.value, ...(s.errors ?? []), ...Object.values(s.members ?? {})]) {
          if (r) stack.push(r.target);
        }
      }
      expect(ours.closure(SERVICE)).toEqual([...awsClosure].sort());
      expect(Object.keys(ours.shapes).filter((id) => id !== SERVICE).sort()).toEqual([...awsClosure].sort());
      expect(awsClosure.size).toBe(462);
      expect([...awsClosure].filter((id) => aws.shape(id).traits?.["smithy.api#error"]).length).toBe(47);
    });

    test.each(ours.closure(SERVICE))("%s has AWS's facts", (id) => {
      expect(shapeFacts(ours.shape(id))).toEqual(shapeFacts(aws.shape(id)));
    });

    test("no documentation is AWS's text", () => {
      const docsOf = (m: Model) =>
        Object.values(m.shapes).flatMap((s) => [
          s.traits?.["smithy.api#documentation"],
          ...Object.values(s.members ?? {}).map((r) => r.traits?.["smithy.api#documentation"]),
        ]).filter((d): d is string => typeof d === "string");
      // AWS's documentation strings and their opening sentences, tags stripped.
      const plain = (d: string) => d.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").trim();
      const awsText = new Set(docsOf(aws).flatMap((d) => [plain(d), plain(d).split(/(?<=\.) /)[0]]));
      const ourDocs = docsOf(ours);
      expect(ourDocs.length).toBe(SERVED.length + 1); // each operation and the service
      expect(ourDocs.filter((d) => awsText.has(plain(d)) || d === DOC_PLACEHOLDER)).toEqual([]);
    });
  });
});

describe("model coverage", () => {
  test("every operation in model/ecr.json has a handler of its own, none the codegen's NotImplemented stub", () => {
    const ours = Model.load(resolve(__dirname, "../../model/ecr.json"));
    const stubs = ours.operations(SERVICE).map((id) => id.split("#")[1]).filter((op) => {
      const file = resolve(__dirname, "../../src/ecr/handlers", `${op}.ts`);
      return !existsSync(file) || readFileSync(file, "utf8").includes("NotImplementedError");
    });
    expect(stubs).toEqual([]);
  });
});
