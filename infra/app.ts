// CDK entry point (cdk.json: `npx tsx infra/app.ts`). Configure with context: `npx cdk synth -c kms=true`.
import { buildApp } from './build.ts';

const { app } = buildApp();
app.synth();
