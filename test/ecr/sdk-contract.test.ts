// The generated ECR server as the AWS SDK sees it: typed errors with their modeled fields, validation, blobs, dates.
import {
  CreateRepositoryCommand,
  DescribeRepositoriesCommand,
  ECRServiceException,
  InvalidLayerPartException,
  RepositoryNotFoundException,
  UploadLayerPartCommand,
} from "@aws-sdk/client-ecr";
import { resolve } from "node:path";
import * as errors from "../../generated/errors";
import { createServiceHandler, type Service } from "../../generated/service";
import { listen, type RequestContext, type RunningServer } from "../../src/framework";
import { ecrClient } from "../helpers/ecr-client";
import { generateInto } from "../helpers/generate";

// Fresh handler stubs for every ECR operation, as the codegen writes them for a new project.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const stubs: Service = require(`${generateInto(resolve(__dirname, "../../model/ecr.json"), "ecr-stubs", { handlers: true })}/handlers`).handlers;

const received: { blob: Buffer; context: RequestContext }[] = [];

// An embedding team's implementation: the generated interface, hand-written methods.
const embedded: Service = {
  ...stubs,
  async DescribeRepositories(input, context) {
    throw new errors.RepositoryNotFoundException({
      message: `The repository with name '${input.repositoryNames?.[0]}' does not exist in the registry with id '${context.accountId}'`,
    });
  },
  async UploadLayerPart(input, context) {
    received.push({ blob: await input.layerPartBlob.toBuffer(), context });
    if (input.partFirstByte !== 0) {
      throw new errors.InvalidLayerPartException({
        message: "The part must start at byte 0",
        registryId: context.accountId,
        repositoryName: input.repositoryName,
        uploadId: input.uploadId,
        lastValidByteReceived: -1,
      });
    }
    return { registryId: context.accountId, repositoryName: input.repositoryName, uploadId: input.uploadId, lastByteReceived: input.partLastByte };
  },
  async CreateRepository(input, context) {
    return {
      repository: {
        registryId: context.accountId,
        repositoryName: input.repositoryName,
        repositoryArn: `arn:aws:ecr:${context.region}:${context.accountId}:repository/${input.repositoryName}`,
        createdAt: new Date("2024-05-06T07:08:09.250Z"),
        imageTagMutability: input.imageTagMutability ?? "MUTABLE",
      },
    };
  },
};

const UPLOAD_ID = "0b9e5c1e-7a2f-4c55-9d1e-2a3b4c5d6e7f";
let server: RunningServer;
let stubServer: RunningServer;

beforeAll(async () => {
  server = await listen(createServiceHandler(embedded, { accountId: "123456789012", region: "eu-west-1" }));
  stubServer = await listen(createServiceHandler(stubs));
});
afterAll(async () => {
  await server.close();
  await stubServer.close();
});

test("by default (no constraintError chosen), a constraint violation reaches the SDK as ValidationException with status 400", async () => {
  const err = await ecrClient(server.url).send(new CreateRepositoryCommand({ repositoryName: "AB" })).catch((e) => e);
  expect(err).toBeInstanceOf(ECRServiceException);
  expect(err.name).toBe("ValidationException");
  expect(err.$metadata.httpStatusCode).toBe(400);
  expect(err.message).toBe(
    "1 validation error detected: Value 'AB' at 'repositoryName' failed to satisfy constraint: Member must satisfy regular expression pattern: " +
      "^[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(\\/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*$",
  );
});

test("a modeled error thrown by a handler is the SDK's own class", async () => {
  const err = await ecrClient(server.url).send(new DescribeRepositoriesCommand({ repositoryNames: ["missing"] })).catch((e) => e);
  expect(err).toBeInstanceOf(RepositoryNotFoundException);
  expect(err.$metadata.httpStatusCode).toBe(400);
  expect(err.message).toBe("The repository with name 'missing' does not exist in the registry with id '123456789012'");
});

test("a modeled error's members reach the SDK", async () => {
  const err = await ecrClient(server.url)
    .send(new UploadLayerPartCommand({ repositoryName: "app", uploadId: UPLOAD_ID, partFirstByte: 5, partLastByte: 9, layerPartBlob: new Uint8Array(5) }))
    .catch((e) => e);
  expect(err).toBeInstanceOf(InvalidLayerPartException);
  expect({ ...err, $metadata: undefined, $response: undefined }).toMatchObject({
    name: "InvalidLayerPartException",
    $fault: "client",
    registryId: "123456789012",
    repositoryName: "app",
    uploadId: UPLOAD_ID,
    lastValidByteReceived: -1,
  });
  expect(err.message).toBe("The part must start at byte 0");
});

test("blobs arrive as the exact bytes and the handler gets its context", async () => {
  received.length = 0;
  const bytes = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7) % 256);
  const out = await ecrClient(server.url).send(
    new UploadLayerPartCommand({ repositoryName: "app", uploadId: UPLOAD_ID, partFirstByte: 0, partLastByte: 999, layerPartBlob: bytes }),
  );
  expect(out).toMatchObject({ registryId: "123456789012", repositoryName: "app", uploadId: UPLOAD_ID, lastByteReceived: 999 });
  expect(received[0].blob.equals(Buffer.from(bytes))).toBe(true);
  expect(received[0].context).toMatchObject({ operation: "UploadLayerPart", accountId: "123456789012", region: "eu-west-1" });
  expect(received[0].context.headers["x-amz-target"]).toBe("AmazonEC2ContainerRegistry_V20150921.UploadLayerPart");
});

test("timestamps and enums come back typed", async () => {
  const out = await ecrClient(server.url).send(new CreateRepositoryCommand({ repositoryName: "team/app", imageTagMutability: "IMMUTABLE" }));
  expect(out.repository).toEqual({
    registryId: "123456789012",
    repositoryName: "team/app",
    repositoryArn: "arn:aws:ecr:eu-west-1:123456789012:repository/team/app",
    createdAt: new Date("2024-05-06T07:08:09.250Z"),
    imageTagMutability: "IMMUTABLE",
  });
});

test("an operation still on its generated stub answers NotImplemented (501), which the SDK does not retry", async () => {
  const client = ecrClient(stubServer.url, { maxAttempts: 3 });
  const err = await client.send(new DescribeRepositoriesCommand({})).catch((e) => e);
  expect(err.name).toBe("NotImplemented");
  expect(err.$metadata.httpStatusCode).toBe(501);
  expect(err.$metadata.attempts).toBe(1);
});
