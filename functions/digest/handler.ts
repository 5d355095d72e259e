// Lambda: a batch of SQS messages (S3 notifications for sources/) → rebuild and publish the edition.
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import * as z from 'zod';
import { createArchiveRenderer, createRenderer } from '../core/render.ts';
import { publishDigest } from '../pipeline/digest.ts';
import { createRuntime, lazy, type Runtime } from '../runtime.ts';
import { loadTemplates } from '../templates.ts';

const SQSEventSchema = z.object({ Records: z.array(z.object({ messageId: z.string(), body: z.string() })) });

export function createDigestHandler(getRuntime: () => Runtime) {
  const getTemplates = lazy(() => loadTemplates(getRuntime().config.templatesDir));
  const getRenderer = lazy(() => {
    const { email } = getRuntime().config;
    return createRenderer(getTemplates(), { publicBaseUrl: email.publicBaseUrl, maxEmailBytes: email.maxEmailBytes });
  });
  const getArchiveRenderer = lazy(() => createArchiveRenderer(getTemplates()));
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const rt = getRuntime();
    const messages = SQSEventSchema.parse(event).Records;
    // Every message only says "articles changed": one rebuild from the stored records serves the whole batch.
    // A failure throws, and SQS redelivers the batch (and, after maxReceiveCount, dead-letters it).
    const started = Date.now();
    const { email } = rt.config;
    const result = await publishDigest({
      store: rt.store,
      clock: rt.clock,
      render: getRenderer(),
      renderArchive: getArchiveRenderer(),
      email: { from: email.from, unsubscribeUrl: email.unsubscribeUrl ?? null, unsubscribeMailto: email.unsubscribeMailto ?? null },
      title: rt.config.title,
      windowHours: rt.config.windowHours,
      timeZone: rt.config.timeZone,
      log: rt.log,
    });
    const { keys: _keys, ...summary } = result as typeof result & { keys?: string[] };
    rt.log({ msg: 'digest', messages: messages.length, ms: Date.now() - started, ...summary });
    return { batchItemFailures: [] };
  };
}

export const handler = createDigestHandler(lazy(() => createRuntime()));
