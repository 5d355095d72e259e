// Structured inputs: JSON / JSON Lines exports and RSS / Atom / RDF feeds.
export { parseJsonExport } from './json.ts';
export { parseFeed } from './feed.ts';
