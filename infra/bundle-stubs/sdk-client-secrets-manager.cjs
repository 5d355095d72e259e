// Stands in for `@aws-sdk/client-secrets-manager` in the Lambda bundles: the runtime's copy, loaded with
// require() (why, and why the name is a variable: see sdk-client-s3.cjs).
const name = '@aws-sdk/client-secrets-manager';
module.exports = require(name);
