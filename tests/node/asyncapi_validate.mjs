// Validate an AsyncAPI document with the official parser (@asyncapi/parser 3.x).
// Usage: node asyncapi_validate.mjs FILE  ->  prints {"errors": [...], "warnings": [...]} as JSON.
// Installed by tests/run.sh into tests/.node; NODE_PATH or the --prefix layout finds it.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, "..", ".node", "package.json"));
const { Parser } = require("@asyncapi/parser");

const text = readFileSync(process.argv[2], "utf8");
const diagnostics = await new Parser().validate(text);
const view = (d) => ({ code: d.code, message: d.message, path: d.path.join("/") });
console.log(JSON.stringify({
  errors: diagnostics.filter((d) => d.severity === 0).map(view),
  warnings: diagnostics.filter((d) => d.severity === 1).map(view),
}));
