// The codegen is general: it runs on AWS's full ECR model (58 operations), the result type-checks, and it serves.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HttpRequest } from "@smithy/protocol-http";
import { generate } from "../../codegen/generate";
import { generateInto, typeCheck } from "../helpers/generate";
import { REFERENCE_MODEL } from "../helpers/reference";
import { describeWith, referenceModel } from "../helpers/requirements";

describeWith(referenceModel, "the codegen on AWS's full ECR model", () => {
  let dir: string;

  beforeAll(() => {
    dir = generateInto(REFERENCE_MODEL, "aws-full", { handlers: true });
  });

  test("every operation gets metadata, a handler stub and a method", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { operations } = require(`${dir}/generated/operations`);
    expect(Object.keys(operations)).toHaveLength(58);
    expect(operations.PutLifecyclePolicy.target).toBe("AmazonEC2ContainerRegistry_V20150921.PutLifecyclePolicy");
    expect(readdirSync(`${dir}/handlers`).filter((f) => !["index.ts", "context.ts"].includes(f))).toHaveLength(58);
  });

  test("the generated code and its stubs type-check under strict settings", () => {
    expect(typeCheck(dir)).toBe("");
  }, 120_000);

  test("the generated service answers from its stubs and validates with the generated validators", async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { createServiceHandler } = require(`${dir}/generated/service`);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { handlers } = require(`${dir}/handlers`);
    const service = createServiceHandler(handlers);
    const send = async (op: string, body: unknown) => {
      const res = await service.handle(
        new HttpRequest({
          method: "POST",
          path: "/",
          headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": `AmazonEC2ContainerRegistry_V20150921.${op}` },
          body: JSON.stringify(body),
        }),
      );
      return { status: res.statusCode, body: JSON.parse(res.body) };
    };
    expect(await send("GetLifecyclePolicy", { repositoryName: "app" })).toEqual({
      status: 501,
      body: { __type: "NotImplemented", message: "The operation GetLifecyclePolicy is not implemented by this server yet" },
    });
    expect(await send("CreatePullThroughCacheRule", { ecrRepositoryPrefix: "ok", upstreamRegistryUrl: "x", credentialArn: "n".repeat(50) })).toEqual({
      status: 400,
      body: {
        __type: "ValidationException",
        message:
          `1 validation error detected: Value '${"n".repeat(50)}' at 'credentialArn' failed to satisfy constraint: Member must satisfy regular expression pattern: ` +
          "^arn:aws(-\\w+)*:secretsmanager:[a-zA-Z0-9-:]+:secret:ecr\\-pullthroughcache\\/[a-zA-Z0-9\\/_+=.@-]+$",
      },
    });
    // This pattern takes a backtracking engine 17.5 s on 27 characters (and doubles with each one more): model patterns
    // run on RE2, so the answer comes at once, and the test would time out otherwise.
    const filter = `${"a".repeat(60)}!`;
    expect(await send("PutRegistryScanningConfiguration", { rules: [{ scanFrequency: "SCAN_ON_PUSH", repositoryFilters: [{ filter, filterType: "WILDCARD" }] }] })).toEqual({
      status: 400,
      body: {
        __type: "ValidationException",
        message:
          `1 validation error detected: Value '${filter}' at 'rules.1.member.repositoryFilters.1.member.filter' failed to satisfy constraint: ` +
          "Member must satisfy regular expression pattern: ^[a-z0-9*](?:[._\\-/a-z0-9*]?[a-z0-9*]+)*$",
      },
    });
  });

  test("a pattern RE2 cannot run (a lookahead) is left out with a warning naming the shape; the model still generates", () => {
    const model = JSON.parse(readFileSync(REFERENCE_MODEL, "utf8"));
    model.shapes["com.amazonaws.ecr#RepositoryName"].traits["smithy.api#pattern"] = "^(?=[a-z])[a-z0-9/]+$";
    const path = join(mkdtempSync(join(tmpdir(), "ecr-model-")), "model.json");
    writeFileSync(path, JSON.stringify(model));
    const { generated, warnings } = generate({ modelPath: path, outDir: join(tmpdir(), "unused") });
    expect(warnings).toEqual([
      'com.amazonaws.ecr#RepositoryName: @pattern "^(?=[a-z])[a-z0-9/]+$" is not enforced: RE2, the linear-time engine patterns run on, cannot run it (error parsing regexp: invalid or unsupported Perl syntax: `(?=`)',
    ]);
    expect(Object.keys(generated)).toHaveLength(6);
  });
});
