// What some suites need beyond `npm ci`: AWS's published model beside the checkout (../shared, which CI has) and
// Debian's tools (which `npm test` installs when it can). Without them a suite is skipped with one line saying why,
// so that a fresh clone's `npm test` passes; `.ci/run` sets ECR_TEST_REQUIRE_ALL=true, and then a missing one fails.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { REFERENCE_MODEL } from "./reference";

export interface Requirement {
  met: boolean;
  /** What is missing and how to get it. */
  why: string;
}

export const referenceModel: Requirement = {
  met: existsSync(REFERENCE_MODEL),
  why: `AWS's ECR model is not at ${REFERENCE_MODEL} (CI keeps shared/ beside the checkout)`,
};

export const awsTools: Requirement = {
  met: existsSync("/usr/bin/aws") && spawnSync("/usr/bin/python3", ["-c", "import boto3"]).status === 0,
  why: "/usr/bin/aws or boto3 for /usr/bin/python3 is missing: apt-get install awscli python3-boto3",
};

export const pythonTests: Requirement = {
  met: spawnSync("/usr/bin/python3", ["-c", "import boto3, pytest"]).status === 0,
  why: "boto3 or pytest for /usr/bin/python3 is missing: apt-get install python3-boto3 python3-pytest",
};

export const registryTools: Requirement = {
  met: ["/usr/bin/podman", "/usr/bin/skopeo", "/usr/bin/umoci"].every(existsSync),
  why: "the registry protocol's real clients are missing: apt-get install podman skopeo umoci",
};

export const benchTools: Requirement = {
  met: existsSync("/usr/bin/docker-registry") && existsSync("/usr/bin/wrk"),
  why: "the benchmark's baselines are missing: apt-get install docker-registry wrk",
};

/** A describe block that runs only when `need` is met; otherwise one skipped test names what is missing. */
export function describeWith(need: Requirement, name: string, body: () => void): void {
  if (need.met) return describe(name, body);
  if (process.env.ECR_TEST_REQUIRE_ALL === "true") {
    return describe(name, () => test("has what it needs", () => {
      throw new Error(need.why);
    }));
  }
  describe(name, () => test.skip(`skipped: ${need.why}`, () => undefined));
}
