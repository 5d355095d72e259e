// The signing key of subscription links, read once per instance: from Secrets Manager in AWS (the stack
// generates the secret), from a file locally. Never from code, the template or a plain variable.
import { readFileSync } from 'node:fs';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SubscriptionsConfig } from '../config.ts';
import { parseKey } from '../core/token.ts';

/** The key, or null when neither a secret nor a file is configured (links then stay unsigned: no subscriptions endpoint). */
export async function loadTokenKey(config: SubscriptionsConfig, region: string): Promise<Buffer | null> {
  if (config.keyFile) return parseKey(readFileSync(config.keyFile, 'utf8'));
  if (!config.keySecretArn) return null;
  const client = new SecretsManagerClient({ region });
  try {
    const out = await client.send(new GetSecretValueCommand({ SecretId: config.keySecretArn }));
    if (!out.SecretString) throw new Error(`secret ${config.keySecretArn} holds no string`);
    return parseKey(out.SecretString);
  } finally {
    client.destroy();
  }
}

/** `loadTokenKey` once per instance: the first read is kept, a failed one is tried again on the next call. */
export function cachedTokenKey(config: () => { subscriptions: SubscriptionsConfig; region: string }): () => Promise<Buffer | null> {
  let key: Promise<Buffer | null> | undefined;
  return () => {
    const { subscriptions, region } = config();
    key ??= loadTokenKey(subscriptions, region).catch((e: unknown) => {
      key = undefined;
      throw e;
    });
    return key;
  };
}
