// The crash harness in its short form: concurrent pushes through repeated SIGKILLs lose and invent nothing.
import { runCrashHarness } from "./crash-harness";

test("pushes survive SIGKILLs at random moments: digests right, nothing lost, nothing left over", async () => {
  const report = await runCrashHarness({ clients: 3, layersPerClient: 5, kills: 3 });
  console.log(`crash harness: kills ${report.kills}, pushes ${report.pushes}, resumed uploads ${report.resumed}, verified bytes ${report.verifiedBytes}`);
  expect(report.problems).toEqual([]);
  expect(report.pushes).toBeGreaterThanOrEqual(15);
  expect(report.kills).toBe(3);
  expect(report.verifiedBytes).toBeGreaterThan(0);
}, 240_000);
