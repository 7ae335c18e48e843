// `tsx codegen/import-operations.ts <reference.json> <model.json> <Operation>...`: adds operations of a reference
// Smithy model (AWS's published one) to a project model, with every shape they reach, keeping the facts (types,
// members, errors and constraint traits) and none of the reference's prose: documentation is the project's to write,
// so each added operation gets a placeholder that the model test refuses until it is replaced.
import { readFileSync, writeFileSync } from "node:fs";
import { Model, type MemberRef, type Shape, type Traits } from "./model";

/** Traits that state facts a server depends on; everything else (documentation, examples, waiters) stays behind. */
const FACT_TRAITS = new Set([
  "smithy.api#required", "smithy.api#default", "smithy.api#length", "smithy.api#pattern", "smithy.api#range",
  "smithy.api#enumValue", "smithy.api#error", "smithy.api#httpError", "smithy.api#uniqueItems", "smithy.api#sparse",
  "smithy.api#input", "smithy.api#output", "smithy.api#paginated", "smithy.api#sensitive", "smithy.api#timestampFormat",
  "smithy.api#jsonName", "smithy.api#idempotencyToken",
]);

export const DOC_PLACEHOLDER = "TODO: describe this operation in the project's own words.";

const facts = (traits: Traits | undefined): Traits | undefined => {
  const kept = Object.entries(traits ?? {}).filter(([t]) => FACT_TRAITS.has(t));
  return kept.length ? Object.fromEntries(kept) : undefined;
};

const ref = (r: MemberRef): MemberRef => {
  const traits = facts(r.traits);
  return traits ? { target: r.target, traits } : { target: r.target };
};

/** The shape with only its facts. */
function factsOf(shape: Shape): Shape {
  const out: Shape = { type: shape.type };
  for (const k of ["input", "output"] as const) if (shape[k]) out[k] = { target: shape[k]!.target };
  if (shape.errors) out.errors = shape.errors.map((e) => ({ target: e.target }));
  if (shape.members) out.members = Object.fromEntries(Object.entries(shape.members).map(([m, r]) => [m, ref(r)]));
  for (const k of ["member", "key", "value"] as const) if (shape[k]) out[k] = ref(shape[k]!);
  const traits = facts(shape.traits);
  if (traits) out.traits = traits;
  return out;
}

/** Adds `operations` (short names) and their closure to `project`; returns the shape ids added. */
export function importOperations(reference: Model, project: Model, serviceId: string, operations: string[]): string[] {
  const namespace = serviceId.split("#")[0];
  const added: string[] = [];
  const stack = operations.map((o) => `${namespace}#${o}`);
  while (stack.length) {
    const id = stack.pop()!;
    if (id.startsWith("smithy.api#") || Object.hasOwn(project.shapes, id)) continue;
    const shape = reference.shape(id);
    project.shapes[id] = factsOf(shape);
    added.push(id);
    for (const r of [shape.input, shape.output, shape.member, shape.key, shape.value, ...(shape.errors ?? []), ...Object.values(shape.members ?? {})]) {
      if (r) stack.push(r.target);
    }
  }
  const service = project.shape(serviceId);
  const bound = new Set((service.operations ?? []).map((o) => o.target));
  for (const o of operations) {
    const id = `${namespace}#${o}`;
    bound.add(id);
    const op = project.shapes[id];
    if (!op.traits?.["smithy.api#documentation"]) op.traits = { ...op.traits, "smithy.api#documentation": DOC_PLACEHOLDER };
  }
  service.operations = [...bound].sort().map((target) => ({ target }));
  return added;
}

/** Shapes sorted by id, as Smithy's own tools write them; the rest of the file as it was. */
function sortedAst(ast: Record<string, unknown>, model: Model): string {
  const shapes = Object.fromEntries(Object.keys(model.shapes).sort().map((id) => [id, model.shapes[id]]));
  return `${JSON.stringify({ ...ast, shapes }, null, 4)}\n`;
}

if (require.main === module) {
  const [referencePath, modelPath, ...operations] = process.argv.slice(2);
  if (!referencePath || !modelPath || operations.length === 0) {
    console.error("usage: tsx codegen/import-operations.ts <reference.json> <model.json> <Operation>...");
    process.exit(2);
  }
  const reference = Model.load(referencePath);
  const ast = JSON.parse(readFileSync(modelPath, "utf8"));
  const project = new Model(ast);
  const [serviceId] = project.service();
  const added = importOperations(reference, project, serviceId, operations);
  writeFileSync(modelPath, sortedAst(ast, project));
  console.log(`added ${added.length} shapes to ${modelPath}; write each new operation's documentation (placeholders say where)`);
}
