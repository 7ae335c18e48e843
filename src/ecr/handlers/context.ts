// What every handler receives besides its input. Written once by codegen/main.ts; the codegen never overwrites it.
import type { RequestContext } from "../../framework/definition";

export type Context = RequestContext;
