// The Python fixture and contract examples in examples/python, run by pytest against this checkout's server (the
// package test runs them again against the installed package).
import { resolve } from "node:path";
import { describeWith, pythonTests } from "../helpers/requirements";
import { run } from "../helpers/run";

const ROOT = resolve(__dirname, "../..");

describeWith(pythonTests, "examples/python under pytest", () => {
  test("boto3 resends a part cut off mid-way, gives up on a non-retryable error, and pushes an image", async () => {
    const r = await run("/usr/bin/python3", ["-m", "pytest", "-q", "-p", "no:cacheprovider", resolve(ROOT, "examples/python")], {
      cwd: ROOT,
      env: { ...process.env, ECR_LAYER_SERVER: `${process.execPath} --import tsx ${resolve(ROOT, "src/cli.ts")}` },
    });
    expect(r.stdout).toMatch(/\b4 passed\b/);
    expect(r.status).toBe(0);
  }, 120_000);
});
