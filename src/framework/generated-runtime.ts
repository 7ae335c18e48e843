// What generated code needs at run time besides the framework's own API. Re-exported here so that code the codegen
// writes into a user's project imports this package alone, never ajv or @smithy/smithy-client (which the user did not
// install, and which a strict package manager would not let it reach).
import equal from "ajv/dist/runtime/equal";
import ucs2length from "ajv/dist/runtime/ucs2length";

export { ServiceException } from "@smithy/smithy-client";
export { linearPattern } from "./patterns";

/** The ajv helpers that compiled validators call. */
export const ajvRuntime = { equal, ucs2length };
