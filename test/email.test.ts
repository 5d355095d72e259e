// The MIME message: reproducible bytes, both parts, unsubscribe headers, ids, and the subscriber list parsing.
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import type { Edition } from '../functions/core/edition.ts';
import {
  SubscriberListSchema,
  composeEditionMessage,
  editionMessageId,
  parseSubscriberList,
  subscriberId,
  uniqueSubscribers,
  unsubscribeUrlFor,
} from '../functions/core/email.ts';
import { createRenderer } from '../functions/core/render.ts';
import { editionOf } from './edition-fixture.ts';
import { loadTemplates } from '../functions/templates.ts';

const edition: Edition = editionOf(
  [
    {
      id: 's_1',
      headline: 'Zürich café reopens — “finally”',
      summary: 'The café reopened on Monday. Regulars queued from dawn.',
      language: 'en',
      publishedAt: '2026-11-22T05:00:00.000Z',
      outlets: ['Daily', 'Wire', 'Copycat'],
      articleCount: 3,
      entries: [
        { id: 'a_1', title: 'Café reopens', publisher: 'Daily', author: null, url: 'https://daily.example/cafe', publishedAt: null, language: 'en', words: 300, copies: [] },
        {
          id: 'a_2',
          title: 'Reopening day',
          publisher: 'Wire',
          author: 'Kim',
          url: null,
          publishedAt: null,
          language: 'de',
          words: 250,
          copies: [{ articleId: 'a_3', publisher: 'Copycat', url: 'https://copycat.example/x' }],
        },
      ],
    },
  ],
  { title: 'Morning digest', updatedAt: '2026-11-22T06:10:00.000Z' },
);

const render = createRenderer(loadTemplates(), { publicBaseUrl: 'https://news.example.com/digests/' });
const FROM = 'Morning digest <digest@news.example.com>';

describe('the edition as a MIME message', () => {
  it('gives the same bytes for the same edition (archived message.eml is reproducible)', async () => {
    const r = render(edition);
    const a = await composeEditionMessage(edition, r, { from: FROM });
    const b = await composeEditionMessage(edition, render(edition), { from: FROM });
    expect(a.equals(b)).toBe(true);
    expect(a.toString()).toMatch(/^Date: Sun, 22 Nov 2026 06:10:00 \+0000$/m);
  });

  it('carries the HTML and the text alternative, a non-ASCII subject, and the edition header', async () => {
    const r = render(edition);
    const raw = await composeEditionMessage(edition, r, {
      from: FROM,
      to: { email: 'ann@example.org', name: 'Ann Example' },
      unsubscribeUrl: unsubscribeUrlFor('https://news.example.com/u?e={email}&id={id}', 'ann@example.org', edition.edition),
      date: new Date('2026-11-22T07:00:00Z'),
    });
    const mail = await simpleParser(raw);
    expect(mail.subject).toBe('Morning digest — 22 Nov 2026: Zürich café reopens — “finally”');
    expect(mail.html).toBe(r.html);
    expect(mail.text?.trim()).toBe(r.text.trim());
    expect(mail.headers.get('content-type')).toMatchObject({ value: 'multipart/alternative' });
    expect(mail.headers.get('x-newsdigest-edition')).toBe('2026-11-22');
    expect(mail.headerLines.find((h) => h.key === 'list-unsubscribe-post')?.line).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    const line = (key: string) => mail.headerLines.find((h) => h.key === key)?.line.replace(/\r?\n[ \t]+/g, ' ');
    expect(line('list-unsubscribe')).toBe(
      `List-Unsubscribe: <https://news.example.com/u?e=ann%40example.org&id=${subscriberId('ann@example.org')}>, <mailto:digest@news.example.com?subject=unsubscribe>`,
    );
    expect(line('list-id')).toBe('List-ID: "Morning digest" <morning-digest.news.example.com>');
    expect(mail.messageId).toBe(editionMessageId(edition, FROM, 'ann@example.org'));
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.value : []).toEqual([{ name: 'Ann Example', address: 'ann@example.org' }]);
  });

  it('omits the one-click header without an http(s) unsubscribe URL, keeping the mailto', async () => {
    expect(unsubscribeUrlFor('javascript:alert(1)//{email}', 'a@b.org', 'x')).toBeNull();
    const raw = (await composeEditionMessage(edition, render(edition), { from: FROM, unsubscribeUrl: null })).toString();
    expect(raw).not.toContain('List-Unsubscribe-Post');
    expect(raw).toMatch(/^List-Unsubscribe: <mailto:digest@news\.example\.com\?subject=unsubscribe>$/m);
  });

  it('derives Message-IDs from the edition content and the recipient', () => {
    const changed = { ...edition, updatedAt: '2026-11-22T08:00:00.000Z' };
    expect(editionMessageId(edition, FROM)).toMatch(/^<2026-11-22\.[0-9a-f]{16}@news\.example\.com>$/);
    expect(editionMessageId(changed, FROM)).not.toBe(editionMessageId(edition, FROM));
    expect(editionMessageId(edition, FROM, 'a@x.org')).toBe(editionMessageId(edition, FROM, 'A@X.org'));
    expect(editionMessageId(edition, FROM, 'a@x.org')).not.toBe(editionMessageId(edition, FROM, 'b@x.org'));
  });
});

describe('subscriber lists', () => {
  it('reads the bucket object in either shape and the SUBSCRIBERS setting, one entry per address', () => {
    expect(SubscriberListSchema.parse({ subscribers: ['a@x.org', { email: 'b@x.org', name: 'B' }] })).toEqual([{ email: 'a@x.org' }, { email: 'b@x.org', name: 'B' }]);
    expect(SubscriberListSchema.parse(['a@x.org'])).toEqual([{ email: 'a@x.org' }]);
    expect(() => SubscriberListSchema.parse({ subscribers: ['nope'] })).toThrow(/email/i);
    expect(parseSubscriberList('Ann <ann@x.org>, bob@x.org;\n"Cy D" <cy@x.org>')).toEqual([
      { email: 'ann@x.org', name: 'Ann' },
      { email: 'bob@x.org' },
      { email: 'cy@x.org', name: 'Cy D' },
    ]);
    expect(uniqueSubscribers([{ email: 'B@x.org' }, { email: 'a@x.org' }, { email: 'b@X.org' }]).map((s) => s.email)).toEqual(['a@x.org', 'B@x.org']);
  });
});
