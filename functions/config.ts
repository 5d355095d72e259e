// Handler configuration from the environment, validated once at cold start.
import { z } from 'zod';
import { ParseLimitsSchema, type ParseLimits } from './core/parse/limits.ts';

const optionalInt = z.coerce.number().int().positive().optional();

export const EnvSchema = z.object({
  BUCKET: z.string().min(3, 'BUCKET must name the pipeline bucket'),
  /** Set only for a non-AWS S3 endpoint (the embedded s3rver). */
  S3_ENDPOINT: z.url().optional(),
  AWS_REGION: z.string().default('us-east-1'),
  /** Articles published or received within this many hours make the edition. */
  EDITION_WINDOW_HOURS: z.coerce.number().positive().default(48),
  DIGEST_TITLE: z.string().min(1).default('News digest'),
  /** IANA zone used to name the edition by its day. */
  EDITION_TIME_ZONE: z.string().default('UTC'),
  TEMPLATES_DIR: z.string().optional(),
  MAX_FILE_BYTES: optionalInt,
  MAX_DECOMPRESSED_BYTES: optionalInt,
  MAX_ARTICLES_PER_FILE: optionalInt,
});
export type Env = z.infer<typeof EnvSchema>;

export interface PipelineConfig {
  bucket: string;
  s3Endpoint: string | undefined;
  region: string;
  windowHours: number;
  title: string;
  timeZone: string;
  templatesDir: string | undefined;
  limits: ParseLimits;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): PipelineConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid configuration: ${why}`);
  }
  const e = parsed.data;
  return {
    bucket: e.BUCKET,
    s3Endpoint: e.S3_ENDPOINT,
    region: e.AWS_REGION,
    windowHours: e.EDITION_WINDOW_HOURS,
    title: e.DIGEST_TITLE,
    timeZone: e.EDITION_TIME_ZONE,
    templatesDir: e.TEMPLATES_DIR,
    limits: ParseLimitsSchema.parse({
      maxFileBytes: e.MAX_FILE_BYTES,
      maxDecompressedBytes: e.MAX_DECOMPRESSED_BYTES,
      maxArticlesPerFile: e.MAX_ARTICLES_PER_FILE,
    }),
  };
}
