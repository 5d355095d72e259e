// The pipeline bucket (inbox/ → sources/ → digests/) and the bucket its server access logs go to.
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Key } from 'aws-cdk-lib/aws-kms';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { PREFIX } from '../functions/triggers.ts';
import type { StackConfig } from './config.ts';

export interface StorageProps {
  config: StackConfig;
}

export class Storage extends Construct {
  readonly bucket: Bucket;
  readonly logBucket: Bucket;
  readonly key: Key | undefined;

  constructor(scope: Construct, id: string, props: StorageProps) {
    super(scope, id);
    const { config } = props;
    const removalPolicy = config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.key = config.kms
      ? new Key(this, 'Key', {
          description: 'newsdigest: encrypts the pipeline bucket and the alarm topic',
          enableKeyRotation: true,
          removalPolicy,
        })
      : undefined;

    // S3 server access logs can only be delivered to an SSE-S3 bucket, so this one never uses the key.
    this.logBucket = new Bucket(this, 'AccessLogs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(config.accessLogExpirationDays) }],
      removalPolicy,
    });
    // cdk-nag's S1 (server access logs) does not apply to the bucket that receives them.

    this.bucket = new Bucket(this, 'Bucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      ...(this.key
        ? { encryption: BucketEncryption.KMS, encryptionKey: this.key, bucketKeyEnabled: true }
        : { encryption: BucketEncryption.S3_MANAGED }),
      enforceSSL: true,
      versioned: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 'pipeline-bucket/',
      lifecycleRules: [
        // Rejection reports are diagnostics: they expire. sources/ and digests/ are the product and are kept.
        { id: 'expire-rejections', prefix: PREFIX.rejected, expiration: Duration.days(config.rejectedExpirationDays) },
        // The subscribe form's daily counters matter for one day.
        { id: 'expire-rate-limit-counters', prefix: PREFIX.limits, expiration: Duration.days(2) },
        {
          id: 'expire-old-versions',
          noncurrentVersionExpiration: Duration.days(config.noncurrentVersionExpirationDays),
          expiredObjectDeleteMarker: true,
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
      removalPolicy,
    });
  }
}
