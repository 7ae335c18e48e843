// Member paths as AWS writes them in error messages: `imageIds.1.member.imageTag` (list positions count from 1).
export type PathSegment = string | number;

export function memberPath(path: readonly PathSegment[]): string {
  return path.map((s) => (typeof s === "number" ? `${s + 1}.member` : s)).join(".");
}

/** Splits an ajv instancePath (`/imageIds/0/imageTag`) against the data, so that list positions are numbers. */
export function fromInstancePath(instancePath: string, data: unknown): { path: PathSegment[]; value: unknown } {
  const path: PathSegment[] = [];
  let value = data;
  if (!instancePath) return { path, value };
  for (const raw of instancePath.slice(1).split("/")) {
    const seg = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (Array.isArray(value)) {
      path.push(Number(seg));
      value = value[Number(seg)];
    } else {
      path.push(seg);
      value = (value as Record<string, unknown> | undefined)?.[seg];
    }
  }
  return { path, value };
}
