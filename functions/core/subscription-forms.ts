// The subscriptions pages' form fields, validated and length-limited: a urlencoded body becomes either
// clean values or a list of field errors to show next to the fields. Nothing here trusts its input.
import { AddressSchema, LIMITS, PreferencesSchema, WEEKDAYS, type Preferences } from './subscriber.ts';

/** A form body larger than this is refused before it is parsed. */
export const MAX_FORM_BYTES = 16_384;
/** Any one field longer than this is refused (a textarea of twenty 80-character phrases fits). */
export const MAX_FIELD_CHARS = 2_000;

/** The languages offered on the forms (ISO 639-1), in the order shown. */
export const FORM_LANGUAGES = ['en', 'de', 'fr', 'es', 'it', 'pt', 'nl'] as const;

export type FieldErrors = Partial<Record<string, string>>;
export type FormResult<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors };

/** urlencoded pairs; repeated keys keep every value. Over-long fields are cut, and flagged by `tooLong`. */
export function parseForm(body: string): { fields: Map<string, string[]>; tooLong: string[] } {
  const fields = new Map<string, string[]>();
  const tooLong: string[] = [];
  for (const [k, v] of new URLSearchParams(body.slice(0, MAX_FORM_BYTES))) {
    if (k.length > 40) continue;
    if (v.length > MAX_FIELD_CHARS && !tooLong.includes(k)) tooLong.push(k);
    fields.set(k, [...(fields.get(k) ?? []), v.slice(0, MAX_FIELD_CHARS)]);
  }
  return { fields, tooLong };
}

const one = (fields: Map<string, string[]>, k: string) => fields.get(k)?.[0] ?? '';

/** One phrase per line (or comma), blanks dropped, duplicates folded. */
function lines(text: string): string[] {
  const seen = new Set<string>();
  for (const raw of text.split(/[\n,]/)) {
    const t = raw.replace(/\s+/g, ' ').trim();
    if (t) seen.add(t);
  }
  return [...seen];
}

const FIELD_MESSAGES: Record<string, string> = {
  email: 'Enter an email address such as name@example.org (at most 254 characters).',
  include: `At most ${LIMITS.phrases} topics, each at most ${LIMITS.phrase} characters.`,
  exclude: `At most ${LIMITS.phrases} topics, each at most ${LIMITS.phrase} characters.`,
  outlets: `At most ${LIMITS.outlets} outlets, each at most ${LIMITS.outlet} characters.`,
  languages: 'Choose languages from the list.',
  cadence: 'Choose daily or weekly.',
  weekday: 'Choose a day of the week.',
  content: 'Choose the full edition or only what is new.',
};

/** The preferences fields of both forms (subscribe and preferences). */
export function parsePreferences(fields: Map<string, string[]>, tooLong: string[] = []): FormResult<Preferences> {
  const cadence = one(fields, 'cadence') || 'daily';
  const candidate = {
    topics: { include: lines(one(fields, 'include')), exclude: lines(one(fields, 'exclude')) },
    mutedOutlets: lines(one(fields, 'outlets')),
    languages: [...new Set(fields.get('languages') ?? [])],
    cadence: cadence === 'weekly' ? { kind: 'weekly', day: one(fields, 'weekday') || 'monday' } : cadence === 'daily' ? { kind: 'daily' } : { kind: cadence },
    content: one(fields, 'content') || 'full',
  };
  const parsed = PreferencesSchema.safeParse(candidate);
  const errors: FieldErrors = {};
  for (const k of tooLong) if (k in FIELD_MESSAGES) errors[k] = FIELD_MESSAGES[k];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const [top, sub] = issue.path.map(String);
      const field = top === 'topics' ? sub! : top === 'mutedOutlets' ? 'outlets' : top === 'cadence' && sub === 'day' ? 'weekday' : top!;
      errors[field] = FIELD_MESSAGES[field] ?? 'Check this field.';
    }
  }
  if (Object.keys(errors).length > 0 || !parsed.success) return { ok: false, errors };
  return { ok: true, value: parsed.data };
}

export interface SubscribeForm {
  email: string;
  preferences: Preferences;
}

export function parseSubscribeForm(body: string): FormResult<SubscribeForm> {
  const { fields, tooLong } = parseForm(body);
  const email = AddressSchema.safeParse(one(fields, 'email'));
  const prefs = parsePreferences(fields, tooLong);
  const errors: FieldErrors = prefs.ok ? {} : { ...prefs.errors };
  if (!email.success || tooLong.includes('email')) errors.email = FIELD_MESSAGES.email;
  if (!email.success || !prefs.ok || Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, value: { email: email.data, preferences: prefs.value } };
}

/** What the forms show: the values as the user typed them back, for redisplay after an error. */
export function preferencesView(p: Preferences) {
  return {
    include: p.topics.include.join('\n'),
    exclude: p.topics.exclude.join('\n'),
    outlets: p.mutedOutlets.join('\n'),
    languages: FORM_LANGUAGES.map((code) => ({ code, checked: p.languages.includes(code) })),
    daily: p.cadence.kind === 'daily',
    weekly: p.cadence.kind === 'weekly',
    weekdays: WEEKDAYS.map((d) => ({ day: d, label: d[0]!.toUpperCase() + d.slice(1), selected: p.cadence.kind === 'weekly' && p.cadence.day === d })),
    full: p.content === 'full',
    onlyNew: p.content === 'new',
  };
}
