// The background queue that scans and replication share: it runs what its store lists, a page at a time, survives a
// store that cannot be read (told, then run again at the next kick), and stops between items.
import { BackgroundQueue } from "../../src/ecr/background-queue";

test("every listed item runs once per pass, past a page; a failing read is reported and the next kick runs again", async () => {
  const pending = new Set(Array.from({ length: 120 }, (_, i) => i));
  const done: number[] = [];
  const errors: unknown[] = [];
  let failNext = true;
  const queue = new BackgroundQueue<number>(
    async (after, limit) => {
      if (failNext) {
        failNext = false;
        throw new Error("SQLITE_BUSY");
      }
      return [...pending].filter((n) => after === undefined || n > after).slice(0, limit);
    },
    async (n) => {
      pending.delete(n);
      done.push(n);
    },
    (e) => errors.push(e),
  );
  queue.kick();
  await queue.idle();
  expect([errors.map((e) => (e as Error).message), done]).toEqual([["SQLITE_BUSY"], []]);
  queue.kick();
  await queue.idle();
  expect(done).toEqual([...Array(120).keys()]);
  await queue.stop();
  pending.add(500);
  queue.kick();
  await queue.idle();
  expect(done).not.toContain(500);
});
