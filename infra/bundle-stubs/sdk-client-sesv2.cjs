// Stands in for `@aws-sdk/client-sesv2` in the Lambda bundles: the runtime's copy, loaded with require()
// (why, and why the name is a variable: see sdk-client-s3.cjs).
const name = '@aws-sdk/client-sesv2';
module.exports = require(name);
