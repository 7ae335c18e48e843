// The store's durable steps, recorded: each file step and each commit, with paths relative to the data dir.
import type { FileHandle } from "node:fs/promises";
import { relative } from "node:path";
import { nodeIO, type StoreIO } from "../../src/storage/embedded/io";

export interface Recording {
  io: StoreIO;
  /** Steps since the last `take()`, and starts a new list. */
  take(): string[];
}

export function recordingIO(dataDir: string): Recording {
  let steps: string[] = [];
  const handles = new WeakMap<FileHandle, string>();
  const rel = (p: string) => relative(dataDir, p) || ".";
  const io: StoreIO = {
    async open(path, flags) {
      const fh = await nodeIO.open(path, flags);
      handles.set(fh, rel(path));
      if (flags !== "r") steps.push(`open ${flags} ${rel(path)}`);
      return fh;
    },
    // Writes are not steps of the order being checked: only flushes make them durable.
    write: nodeIO.write,
    async syncData(fh) {
      await nodeIO.syncData(fh);
      steps.push(`syncData ${handles.get(fh)}`);
    },
    async syncDir(dir) {
      await nodeIO.syncDir(dir);
      steps.push(`syncDir ${rel(dir)}`);
    },
    async mkdirs(dir) {
      const created = await nodeIO.mkdirs(dir);
      for (const d of created) steps.push(`mkdir ${rel(d)}`);
      return created;
    },
    async rename(from, to) {
      await nodeIO.rename(from, to);
      steps.push(`rename ${rel(from)} ${rel(to)}`);
    },
    async unlink(path) {
      await nodeIO.unlink(path);
      steps.push(`unlink ${rel(path)}`);
    },
    async truncate(path, length) {
      await nodeIO.truncate(path, length);
      steps.push(`truncate ${rel(path)} ${length}`);
    },
    commit(db, change) {
      const result = nodeIO.commit(db, change);
      steps.push("commit");
      return result;
    },
  };
  return {
    io,
    take() {
      const taken = steps;
      steps = [];
      return taken;
    },
  };
}
