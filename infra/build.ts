// Builds the CDK app: used by infra/app.ts (the CLI entry) and by the tests, so both synthesize the same thing.
import { App, Validations, type AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { NewsdigestStack, type NewsdigestStackProps } from './stack.ts';

/** Feature flags the stack relies on (kept here, not in cdk.json, so tests synthesize with the same ones). */
export const FEATURE_FLAGS = {
  // Access-log delivery through a bucket policy instead of ACLs (ACLs are disabled on new buckets).
  '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
  '@aws-cdk/aws-s3:createDefaultLoggingPolicy': true,
  '@aws-cdk/aws-s3:publicAccessBlockedByDefault': true,
  '@aws-cdk/aws-s3:grantWriteWithoutAcl': true,
  '@aws-cdk/aws-lambda:recognizeLayerVersion': true,
  '@aws-cdk/aws-kms:aliasNameRef': true,
  '@aws-cdk/aws-events:requireEventBusPolicySid': true,
  '@aws-cdk/core:enablePartitionLiterals': true,
} as const;

/** A placeholder environment so `cdk synth` needs no credentials and does no lookups. */
export const OFFLINE_ENV = { account: '123456789012', region: 'us-east-1' } as const;

export interface BuildOptions {
  appProps?: AppProps;
  stackId?: string;
  stack?: NewsdigestStackProps;
  /** Register cdk-nag's AwsSolutions pack: synthesis then fails on any unacknowledged finding. */
  nag?: boolean;
}

export function buildApp(options: BuildOptions = {}): { app: App; stack: NewsdigestStack } {
  const app = new App({ ...options.appProps, context: { ...FEATURE_FLAGS, ...options.appProps?.context } });
  const stack = new NewsdigestStack(app, options.stackId ?? 'Newsdigest', {
    env: {
      account: process.env.CDK_DEFAULT_ACCOUNT ?? OFFLINE_ENV.account,
      region: process.env.CDK_DEFAULT_REGION ?? OFFLINE_ENV.region,
    },
    description: 'newsdigest: S3 inbox → parsed articles → digest',
    ...options.stack,
  });
  if (options.nag !== false) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}
