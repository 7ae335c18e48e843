// Every statement the store runs is served by an index range, never a walk of a table or of a repository's rows: the
// cost of a request must not grow with what else is stored. SQLite's planner, without statistics, once walked the
// primary key to avoid a sort (an image's tags read every tag of the repository; DescribeImages' first page took 150 ms
// at 16,000 images); the indexes now end with the sort key. This reads each plan from the real schema.
import { rmSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { SQL } from "../../src/storage/sql/queries";
import { EmbeddedStore } from "../../src/storage/embedded/store";
import { tempDataDir } from "../helpers/ecr-server";

let dir: string;
let db: Database.Database;
beforeAll(async () => {
  dir = tempDataDir();
  await (await EmbeddedStore.open({ dataDir: dir, fsync: false })).close();
  db = new Database(join(dir, "records.db"), { readonly: true });
});
afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const plan = (name: keyof typeof SQL) => {
  const sql = SQL[name];
  const params = (sql.match(/\?/g) ?? []).map(() => "x");
  return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail);
};

// Statements that read a whole table on purpose: start-up's short lists and the migration bookkeeping.
const WHOLE_TABLE = new Set(["appliedMigrations", "listCompletions"]);

test.each(Object.keys(SQL).filter((n) => !WHOLE_TABLE.has(n) && /^\s*SELECT|UPDATE|DELETE/i.test(SQL[n as keyof typeof SQL])))("%s never walks a table", (name) => {
  const walks = plan(name as keyof typeof SQL).filter((d) => /^SCAN /.test(d) || /USE TEMP B-TREE/.test(d));
  expect(walks).toEqual([]);
});

// Per-image and per-subject reads: all of their equality columns bound, the sort key from the index.
test.each([
  ["listImageTags", "SEARCH image_tags USING COVERING INDEX image_tags_by_digest (registry_id=? AND repository_name=? AND image_digest=?)"],
  ["listReferrers", "SEARCH images USING COVERING INDEX images_by_subject (registry_id=? AND repository_name=? AND subject_digest=? AND image_digest>?)"],
  ["listReferencingImages", "SEARCH image_references USING COVERING INDEX image_references_by_target (registry_id=? AND repository_name=? AND referenced_digest=?)"],
  ["listImages", "SEARCH i USING INDEX sqlite_autoindex_images_1 (registry_id=? AND repository_name=? AND image_digest>?)"],
  ["listDueLifecyclePolicies", "SEARCH lifecycle_policies USING INDEX sqlite_autoindex_lifecycle_policies_1 ((registry_id,repository_name)>(?,?))"],
])("%s reads one index range", (name, want) => {
  expect(plan(name as keyof typeof SQL)[0]).toBe(want);
});
