// Lambda, subscribed to the SNS topic the SES configuration set publishes bounces, complaints and deliveries
// to: each message's signature is verified, then each recipient's subscriber record is updated (a hard bounce
// suppresses, a complaint unsubscribes, three soft bounces in a row suppress). A refused message is logged and
// counted, never applied, and not retried; a fetch or store fault throws, so Lambda retries the invocation.
import type { Context, SNSEvent } from 'aws-lambda';
import * as z from 'zod';
import { createCertificateFetcher } from '../adapters/certificate-fetcher.ts';
import { handleFeedbackMessage, subscriberFeedback, type FeedbackOutcome } from '../pipeline/feedback.ts';
import { feedbackTelemetry } from '../pipeline/outcome-telemetry.ts';
import { createSnsVerifier, type CertificateFetcher } from '../pipeline/sns-verifier.ts';
import { createRuntime, invoked, lazy, type Runtime } from '../runtime.ts';

// SNS invokes a function with one record; the cap only bounds a hand-made event.
const SnsEventSchema = z.object({ Records: z.array(z.looseObject({ Sns: z.unknown() })).min(1).max(100) });

export interface FeedbackHandlerOptions {
  /** Where signing certificates come from; by default HTTPS from SNS. */
  fetchCertificate?: CertificateFetcher;
}

export function createFeedbackHandler(getRuntime: () => Runtime, options: FeedbackHandlerOptions = {}) {
  // One verifier per instance: its certificate cache lives as long as the warm container.
  const getVerifier = lazy(() => {
    const { config, clock } = getRuntime();
    const topic = config.email.feedbackTopicArn;
    return createSnsVerifier({ fetchCertificate: options.fetchCertificate ?? createCertificateFetcher(), clock, topicArns: topic ? [topic] : [] });
  });
  const handle = async (event: SNSEvent, _context?: Partial<Context>): Promise<FeedbackOutcome[]> => {
    const rt = getRuntime();
    const parsed = SnsEventSchema.safeParse(event);
    if (!parsed.success) {
      rt.log({ level: 'warn', msg: 'feedback', status: 'refused', reason: 'not an SNS event' });
      rt.metrics.add({ name: 'FeedbackRefused', value: 1 });
      return [];
    }
    const deps = { verifier: getVerifier(), apply: subscriberFeedback(rt.store) };
    const outcomes: FeedbackOutcome[] = [];
    for (const record of parsed.data.Records) {
      const outcome = await handleFeedbackMessage(record.Sns, deps);
      const { entry, points } = feedbackTelemetry(outcome);
      rt.log(entry);
      for (const point of points) rt.metrics.add(point);
      outcomes.push(outcome);
    }
    return outcomes;
  };
  return invoked(getRuntime, handle);
}

export const handler = createFeedbackHandler(lazy(() => createRuntime()));
