// The kit over HTTP, for servers started from the command line and tests in any language. Mounted only when the
// server is started with it (`--contract-control`); otherwise these paths are not looked at.
//   POST   /__contract/faults          a rule (or a list of them) as JSON          → 201 {"rules": [...]}
//   GET    /__contract/faults          the rules with their counts                  → 200 {"rules": [...]}
//   DELETE /__contract/faults[/<id>]   all rules, or one                            → 204 (404 for an unknown id)
//   GET    /__contract/journal?<match> entries as JSON lines (application/x-ndjson), oldest first
//   DELETE /__contract/journal         empties the journal                          → 204
//   POST   /__contract/disk-full       the store's next write fails (ENOSPC)        → 204
//   POST   /__contract/reset           rules, journal and disk switch               → 204
import type { IncomingMessage, ServerResponse } from "node:http";
import { checkMatch, type CallMatch } from "./calls";
import type { ContractKit } from "./kit";
import type { FaultRuleInput } from "./faults";

export const CONTROL_PREFIX = "/__contract/";
const MAX_BODY = 64 * 1024;

export function createControlListener(kit: ContractKit): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    serve(kit, req).then(
      ({ status, body, type }) => {
        const bytes = body === undefined ? undefined : Buffer.from(body);
        res.writeHead(status, { "content-type": type ?? "application/json", "content-length": String(bytes?.byteLength ?? 0) });
        res.end(bytes);
      },
      (e: Error) => {
        const bytes = Buffer.from(JSON.stringify({ error: e.message }));
        res.writeHead(e instanceof TypeError || e instanceof SyntaxError ? 400 : 500, { "content-type": "application/json", "content-length": String(bytes.byteLength), connection: "close" });
        res.end(bytes);
      },
    );
  };
}

interface Answer {
  status: number;
  body?: string;
  type?: string;
}

async function serve(kit: ContractKit, req: IncomingMessage): Promise<Answer> {
  const url = new URL(req.url ?? "/", "http://control");
  const path = url.pathname.slice(CONTROL_PREFIX.length);
  const method = req.method ?? "GET";
  const json = (status: number, value: unknown): Answer => ({ status, body: JSON.stringify(value) });
  if (path === "faults" && method === "POST") {
    const parsed = JSON.parse(await readBody(req)) as FaultRuleInput | FaultRuleInput[];
    const inputs = Array.isArray(parsed) ? parsed : [parsed];
    // All or none: a list with a bad rule adds nothing.
    const added: string[] = [];
    try {
      for (const input of inputs) added.push(kit.faults.add(input).id);
    } catch (e) {
      for (const id of added) kit.faults.remove(id);
      throw e;
    }
    return json(201, { rules: kit.faults.list().filter((r) => added.includes(r.id)) });
  }
  if (path === "faults" && method === "GET") return json(200, { rules: kit.faults.list() });
  if (path === "faults" && method === "DELETE") {
    kit.faults.clear();
    return { status: 204 };
  }
  if (path.startsWith("faults/") && method === "DELETE") {
    let id: string;
    try {
      id = decodeURIComponent(path.slice("faults/".length));
    } catch {
      throw new TypeError("the rule id is not a valid URL component");
    }
    return kit.faults.remove(id) ? { status: 204 } : json(404, { error: "no such rule" });
  }
  if (path === "journal" && method === "GET") return { status: 200, body: kit.journal.toJsonLines(matchFrom(url.searchParams)), type: "application/x-ndjson" };
  if (path === "journal" && method === "DELETE") {
    kit.journal.reset();
    return { status: 204 };
  }
  if (path === "disk-full" && method === "POST") {
    kit.disk.failNextWrite();
    return { status: 204 };
  }
  if (path === "reset" && method === "POST") {
    kit.reset();
    return { status: 204 };
  }
  return json(404, { error: `no control route ${method} ${url.pathname}` });
}

/** A journal query from URL parameters: `?operation=UploadLayerPart&attempt=2`; a repeated parameter is a list. */
function matchFrom(params: URLSearchParams): CallMatch {
  const match: Record<string, unknown> = {};
  for (const key of new Set(params.keys())) {
    const values = params.getAll(key);
    match[key] = key === "attempt" ? Number(values[0]) : values.length > 1 ? values : values[0];
  }
  return checkMatch(match);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  let n = 0;
  for await (const chunk of req) {
    n += (chunk as Buffer).byteLength;
    if (n > MAX_BODY) throw new TypeError(`a control request body is at most ${MAX_BODY} bytes`);
    parts.push(chunk as Buffer);
  }
  return Buffer.concat(parts).toString("utf8");
}
