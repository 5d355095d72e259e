// The subscriptions pages as markup: accessible without JavaScript (a language, one heading, a label for every
// field, grouped choices), and every echoed value escaped.
import { parseHTML } from 'linkedom';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PREFERENCES } from '../functions/core/subscriber.ts';
import { preferencesView } from '../functions/core/subscription-forms.ts';
import { createSubscriptionPages, type PageName } from '../functions/core/subscription-pages.ts';
import { loadSubscriptionTemplates } from '../functions/subscription-templates.ts';

const pages = createSubscriptionPages(loadSubscriptionTemplates(), 'News <b>digest</b>');
const HOSTILE = '"><script>alert(1)</script>';

function render(name: PageName, data: Record<string, unknown> = {}) {
  const html = pages.page(name, { heading: 'Heading', base: '/subs', prefs: preferencesView(DEFAULT_PREFERENCES), token: 't', csrf: 'c', ...data });
  return { html, document: parseHTML(html).document };
}

describe('subscription pages', () => {
  for (const name of ['subscribe', 'preferences', 'unsubscribe', 'notice'] as const) {
    it(`${name}: has a language, a title, one h1, no script, and a label for every visible field`, () => {
      const { html, document } = render(name, { message: 'Hello', email: HOSTILE });
      expect(document.documentElement.getAttribute('lang')).toBe('en');
      expect(document.querySelector('title')?.textContent).toContain('News <b>digest</b>');
      expect(document.querySelectorAll('h1')).toHaveLength(1);
      expect(document.querySelectorAll('script')).toHaveLength(0);
      expect(html).not.toContain('<script>alert');
      for (const field of document.querySelectorAll('input:not([type=hidden]), textarea, select')) {
        const id = field.getAttribute('id');
        const labelled = (id && document.querySelector(`label[for="${id}"]`)) || field.closest('label');
        expect(labelled, field.outerHTML).toBeTruthy();
      }
      for (const form of document.querySelectorAll('form')) expect(form.getAttribute('method')).toBe('post');
    });
  }

  it('groups radio buttons and checkboxes under a legend, and shows errors next to their field and in an alert', () => {
    const { document } = render('subscribe', { errors: { email: 'Enter an email address' } });
    for (const input of document.querySelectorAll('input[type=radio], input[type=checkbox]')) expect(input.closest('fieldset')?.querySelector('legend')).toBeTruthy();
    expect(document.querySelector('[role=alert]')?.textContent).toContain('Enter an email address');
    expect(document.querySelector('#email')?.getAttribute('aria-invalid')).toBe('true');
    expect(document.querySelector('#email')?.getAttribute('aria-describedby')).toBe('email-error');
  });

  it('escapes the confirmation email’s link in HTML and keeps it intact in the text part', () => {
    const { html, text } = pages.confirmation({ title: 'Digest', confirmUrl: 'https://x.example/confirm?token=a.b&x="<' });
    expect(html).toContain('href="https://x.example/confirm?token&#x3D;a.b&amp;x&#x3D;&quot;&lt;"');
    expect(text).toContain('https://x.example/confirm?token=a.b&x="<');
  });
});
