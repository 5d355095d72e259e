// Stands in for `@aws-sdk/client-s3` in the Lambda bundles (an esbuild alias in infra/functions.ts): the runtime's
// copy is loaded with require(), which is how Lambda documents finding it (NODE_PATH lists /var/runtime/node_modules)
// and ~100 ms faster at a cold start than import() of the same CommonJS files (no ESM wrapper, no export lexing).
// The name is a variable so that esbuild leaves this require() to Node instead of resolving it back to this stub.
const name = '@aws-sdk/client-s3';
module.exports = require(name);
