// Stands in for `cssomnom/parse` in the Lambda bundles (an esbuild alias in infra/functions.ts). linkedom calls
// it only when code reads a <style> element's `sheet`; the parser never does (Readability and the cleaners read
// text and attributes), and the real parser is 195 KiB of the ingest bundle's 1 MB budget. Failing loudly keeps
// a future use from silently getting an empty sheet.
export function parse() {
  throw new Error('CSS style sheets are not parsed in the Lambda bundle (infra/bundle-stubs/cssom-parse.mjs)');
}
