#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's loader, so `npx newsdigest` works right after `npm ci`.
import { register } from 'tsx/esm/api';

// The lockfile pins the SDK, so its notice about future releases needing Node 22 is noise on every run here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
await import('../cli/main.ts');
