// Reading a Smithy 2.0 JSON AST: shape lookup, the prelude, and the closure of shapes a service reaches.
import { readFileSync } from "node:fs";

export type Traits = Record<string, unknown>;
export interface MemberRef {
  target: string;
  traits?: Traits;
}
export interface Shape {
  type: string;
  members?: Record<string, MemberRef>;
  member?: MemberRef;
  key?: MemberRef;
  value?: MemberRef;
  input?: { target: string };
  output?: { target: string };
  errors?: { target: string }[];
  operations?: { target: string }[];
  mixins?: { target: string }[];
  resources?: { target: string }[];
  version?: string;
  traits?: Traits;
}
export interface SmithyAst {
  smithy: string;
  shapes: Record<string, Shape>;
}

export const UNIT = "smithy.api#Unit";

// The prelude shapes a model may target without defining them.
const PRELUDE_TYPES: Record<string, string> = {
  String: "string", Blob: "blob", Boolean: "boolean", Byte: "byte", Short: "short", Integer: "integer",
  Long: "long", Float: "float", Double: "double", BigInteger: "bigInteger", BigDecimal: "bigDecimal",
  Timestamp: "timestamp", Document: "document", PrimitiveBoolean: "boolean", PrimitiveByte: "byte",
  PrimitiveShort: "short", PrimitiveInteger: "integer", PrimitiveLong: "long", PrimitiveFloat: "float",
  PrimitiveDouble: "double", Unit: "structure",
};

export const SIMPLE_TYPES = new Set([
  "string", "blob", "boolean", "byte", "short", "integer", "long", "float", "double", "bigInteger",
  "bigDecimal", "timestamp", "document", "enum", "intEnum",
]);

export class CodegenError extends Error {
  constructor(shapeId: string, problem: string) {
    super(`${shapeId}: ${problem}`);
  }
}

export class Model {
  readonly shapes: Record<string, Shape>;

  constructor(ast: SmithyAst) {
    if (!ast || typeof ast !== "object" || !ast.shapes || !String(ast.smithy ?? "").startsWith("2")) {
      throw new Error("not a Smithy 2.0 JSON AST (expected {\"smithy\": \"2.0\", \"shapes\": {...}})");
    }
    this.shapes = ast.shapes;
  }

  static load(path: string): Model {
    return new Model(JSON.parse(readFileSync(path, "utf8")) as SmithyAst);
  }

  shape(id: string): Shape {
    const found = this.shapes[id];
    if (found) return found.mixins?.length ? this.withMixins(id, found) : found;
    const [ns, name] = id.split("#");
    if (ns === "smithy.api" && PRELUDE_TYPES[name]) {
      return name === "Unit" ? { type: "structure", members: {}, traits: { "smithy.api#unitType": {} } } : { type: PRELUDE_TYPES[name] };
    }
    throw new CodegenError(id, "is targeted but not defined in the model");
  }

  /** A shape with its mixins' members and traits folded in (its own come last and win), as Smithy applies them. */
  private withMixins(id: string, shape: Shape): Shape {
    const members: Record<string, MemberRef> = {};
    let traits: Traits = {};
    for (const m of shape.mixins!) {
      const mixin = this.shape(m.target);
      Object.assign(members, mixin.members ?? {});
      const { "smithy.api#mixin": _mixin, ...inherited } = mixin.traits ?? {};
      traits = { ...traits, ...inherited };
    }
    for (const [name, ref] of Object.entries(shape.members ?? {})) {
      members[name] = members[name] ? { target: ref.target, traits: { ...members[name].traits, ...ref.traits } } : ref;
    }
    const { mixins: _drop, ...rest } = shape;
    if (!id) throw new CodegenError(id, "has mixins but no id");
    return { ...rest, members, traits: { ...traits, ...(shape.traits ?? {}) } };
  }

  /** The single service shape, or the one named. */
  service(id?: string): [string, Shape] {
    const services = Object.entries(this.shapes).filter(([, s]) => s.type === "service");
    const found = id ? services.find(([sid]) => sid === id) : services.length === 1 ? services[0] : undefined;
    if (!found) {
      const names = services.map(([sid]) => sid).join(", ") || "none";
      throw new Error(id ? `service ${id} not found (services: ${names})` : `expected exactly one service, found: ${names}`);
    }
    return found;
  }

  /** The service's operations, sorted by name, including those bound through resources. */
  operations(serviceId: string): string[] {
    const ops = new Set<string>();
    const visit = (id: string) => {
      const s = this.shape(id);
      for (const o of s.operations ?? []) ops.add(o.target);
      for (const r of s.resources ?? []) visit(r.target);
      const res = s as Shape & Record<string, { target: string } | undefined>;
      for (const k of ["create", "put", "read", "update", "delete", "list"]) {
        const op = res[k];
        if (op?.target) ops.add(op.target);
      }
      for (const o of (s as { collectionOperations?: { target: string }[] }).collectionOperations ?? []) ops.add(o.target);
    };
    visit(serviceId);
    return [...ops].sort((a, b) => shapeName(a).localeCompare(shapeName(b)));
  }

  /** Every non-prelude shape reachable from the service's operations, sorted by id. */
  closure(serviceId: string): string[] {
    const seen = new Set<string>();
    const stack = [...this.operations(serviceId), ...(this.shape(serviceId).errors ?? []).map((e) => e.target)];
    const push = (id: string | undefined) => {
      if (id && !id.startsWith("smithy.api#") && !seen.has(id)) stack.push(id);
    };
    while (stack.length) {
      const id = stack.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      const s = this.shape(id);
      push(s.input?.target);
      push(s.output?.target);
      for (const e of s.errors ?? []) push(e.target);
      for (const ref of [s.member, s.key, s.value]) push(ref?.target);
      if (s.type === "structure" || s.type === "union") for (const m of Object.values(s.members ?? {})) push(m.target);
    }
    return [...seen].sort();
  }

  /** Errors an operation can return: its own plus the service's common errors. */
  operationErrors(serviceId: string, opId: string): string[] {
    const common = (this.shape(serviceId).errors ?? []).map((e) => e.target);
    return [...new Set([...(this.shape(opId).errors ?? []).map((e) => e.target), ...common])];
  }

  /** The resolved shape type, following a member to its target. */
  typeOf(target: string): string {
    return this.shape(target).type;
  }
}

export function shapeName(id: string): string {
  const hash = id.indexOf("#");
  if (hash < 0) throw new CodegenError(id, "is not an absolute shape id");
  return id.slice(hash + 1);
}

export function trait<T = unknown>(traits: Traits | undefined, name: string): T | undefined {
  return traits?.[name.includes("#") ? name : `smithy.api#${name}`] as T | undefined;
}

/** Member traits override the target's traits of the same name. */
export function effectiveTraits(model: Model, ref: MemberRef): Traits {
  return { ...(model.shape(ref.target).traits ?? {}), ...(ref.traits ?? {}) };
}

/** Checks that the closure's shape names are unique, since generated code names shapes without namespaces. */
export function assertUniqueNames(ids: string[]): void {
  const byName = new Map<string, string>();
  for (const id of ids) {
    const name = shapeName(id);
    const other = byName.get(name);
    if (other) throw new CodegenError(id, `shape name conflicts with ${other}; rename one of them`);
    byName.set(name, id);
  }
}
