// The delivery marker write as S3 does it atomically: PutObject with `If-None-Match: *` (412 when it exists).
import { PutObjectCommand, S3ServiceException, type S3Client } from '@aws-sdk/client-s3';
import type { CreateMarker } from '../pipeline/deliver.ts';

export function s3CreateMarker(client: S3Client, bucket: string): CreateMarker {
  return async (key, body) => {
    try {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/json', IfNoneMatch: '*' }));
      return 'created';
    } catch (e) {
      // 412: the marker exists. 409: a concurrent conditional write to the same key is in flight.
      if (e instanceof S3ServiceException && [409, 412].includes(e.$metadata.httpStatusCode ?? 0)) return 'exists';
      throw e;
    }
  };
}
