// Lambda: a batch of SQS messages (S3 notifications for sources/) → rebuild and publish the edition.
import { createHash } from 'node:crypto';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import * as z from 'zod';
import { createArchiveRenderer, createRenderer, type RenderOptions, type TemplateSources } from '../core/render.ts';
import { decodeEventKey } from '../core/keys.ts';
import { createStoryRenderer } from '../core/render-story.ts';
import { publishDigest, type ChangedSources } from '../pipeline/digest.ts';
import { createDigestState } from '../pipeline/digest-state.ts';
import { digestPoints } from '../pipeline/outcome-telemetry.ts';
import { createRuntime, invoked, lazy, warmAtLambdaInit, type Runtime } from '../runtime.ts';
import { loadTemplates } from '../templates.ts';

const SQSEventSchema = z.object({ Records: z.array(z.object({ messageId: z.string(), body: z.string() })) });

/** An S3 notification as SQS carries it in a message body (only what names the created object). */
const S3NotificationSchema = z.object({
  Records: z.array(
    z.object({
      eventName: z.string().startsWith('ObjectCreated'),
      s3: z.object({ object: z.object({ key: z.string(), eTag: z.string().min(1) }) }),
    }),
  ),
});

/** The sources the messages name, at their ETags; null when any message is something else (then: rebuild). */
export function changedSources(bodies: string[]): ChangedSources | null {
  const changed: ChangedSources = [];
  for (const body of bodies) {
    let parsed;
    try {
      parsed = S3NotificationSchema.safeParse(JSON.parse(body));
    } catch {
      return null;
    }
    if (!parsed.success) return null;
    for (const r of parsed.data.Records) changed.push({ key: decodeEventKey(r.s3.object.key), etag: r.s3.object.eTag });
  }
  return changed;
}

/** Names what the renderers are built from (see DigestDeps.renderKey). */
function renderKeyOf(templates: TemplateSources, options: RenderOptions): string {
  return createHash('sha256').update(JSON.stringify([templates, options])).digest('hex');
}

export function createDigestHandler(getRuntime: () => Runtime) {
  const getTemplates = lazy(() => loadTemplates(getRuntime().config.templatesDir));
  const getRenderOptions = lazy((): RenderOptions => {
    const { email } = getRuntime().config;
    return { publicBaseUrl: email.publicBaseUrl, maxEmailBytes: email.maxEmailBytes };
  });
  const getRenderer = lazy(() => createRenderer(getTemplates(), getRenderOptions()));
  const getArchiveRenderer = lazy(() => createArchiveRenderer(getTemplates()));
  const getStoryRenderer = lazy(() => createStoryRenderer(getTemplates()) ?? undefined);
  const getRenderKey = lazy(() => renderKeyOf(getTemplates(), getRenderOptions()));
  // This instance's parsed sources and last publish, kept between batches (one runtime: one store).
  const state = createDigestState();
  const handle = async (event: SQSEvent): Promise<SQSBatchResponse> => {
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
      renderStory: getStoryRenderer(),
      email: { from: email.from, unsubscribeUrl: email.unsubscribeUrl ?? null, unsubscribeMailto: email.unsubscribeMailto ?? null },
      title: rt.config.title,
      windowHours: rt.config.windowHours,
      timeZone: rt.config.timeZone,
      renderKey: getRenderKey(),
      state,
      log: rt.log,
    }, changedSources(messages.map((m) => m.body)) ?? undefined);
    const { keys: _keys, ...summary } = result as typeof result & { keys?: string[] };
    rt.log({ msg: 'digest', messages: messages.length, ms: Date.now() - started, ...summary });
    for (const point of digestPoints(result)) rt.metrics.add(point);
    return { batchItemFailures: [] };
  };
  /** Build the runtime and compile the templates before the first batch (a local runner starting up warm). */
  const warm = async (): Promise<void> => {
    getRuntime();
    getRenderer();
    getArchiveRenderer();
    getStoryRenderer();
  };
  return Object.assign(invoked(getRuntime, handle), { warm });
}

export const handler = createDigestHandler(lazy(() => createRuntime()));
// In Lambda: the templates compile during init, not with the first batch.
await warmAtLambdaInit(handler);
