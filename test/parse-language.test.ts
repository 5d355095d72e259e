import { describe, expect, it } from 'vitest';
import { detectLanguage } from '../functions/core/parse/language.ts';
import { parseFile } from '../functions/core/parse/index.ts';

// A few sentences of news copy per language (written for this test), as an article body would read.
const SAMPLES: Record<string, string> = {
  en: 'The mayor said on Tuesday that the new bridge over the river would open next spring, two years later than planned, after the city council approved another budget increase for the project.',
  fr: 'Le maire a annoncé mardi que le nouveau pont sur le fleuve ouvrirait au printemps prochain, avec deux ans de retard, après que le conseil municipal a voté une nouvelle hausse du budget du chantier.',
  de: 'Der Bürgermeister sagte am Dienstag, die neue Brücke über den Fluss werde im nächsten Frühjahr eröffnet, zwei Jahre später als geplant, nachdem der Stadtrat das Budget erneut erhöht hatte.',
  es: 'El alcalde dijo el martes que el nuevo puente sobre el río abrirá la próxima primavera, dos años más tarde de lo previsto, después de que el ayuntamiento aprobara otro aumento del presupuesto.',
  it: "Il sindaco ha detto martedì che il nuovo ponte sul fiume aprirà la prossima primavera, con due anni di ritardo, dopo che il consiglio comunale ha approvato un altro aumento del bilancio dell'opera.",
  pt: 'O prefeito disse na terça-feira que a nova ponte sobre o rio será aberta na próxima primavera, dois anos depois do previsto, depois que a câmara municipal aprovou outro aumento do orçamento.',
  ru: 'Мэр заявил во вторник, что новый мост через реку откроется следующей весной, на два года позже запланированного, после того как городской совет снова увеличил бюджет проекта.',
  zh: '市长周二表示，这座跨河新桥将于明年春天通车，比原计划晚了两年。此前市议会再次批准增加该项目的预算，许多居民对此表示不满。',
  ar: 'قال رئيس البلدية يوم الثلاثاء إن الجسر الجديد فوق النهر سيفتتح في الربيع المقبل، بعد عامين من الموعد المخطط له، بعد أن وافق المجلس البلدي على زيادة أخرى في ميزانية المشروع.',
};

describe('detectLanguage', () => {
  for (const [code, text] of Object.entries(SAMPLES)) {
    it(`reads ${code}`, () => expect(detectLanguage(text)).toBe(code));
  }

  it('gives null when the text is too short to tell', () => {
    expect(detectLanguage('Breaking news')).toBeNull();
    expect(detectLanguage('')).toBeNull();
  });

  it('answers in ISO 639-1 or not at all', () => {
    for (const text of [...Object.values(SAMPLES), '1 2 3 4 5 6 7 8 9 10 11 12', '— — — — — — — — — — — —']) {
      const code = detectLanguage(text);
      if (code !== null) expect(code).toMatch(/^[a-z]{2}$/);
    }
  });

  it('is what a parsed article without a stated language carries, and a stated one wins', () => {
    const bytes = (s: string) => new TextEncoder().encode(s);
    const plain = parseFile('a.txt', bytes(`Nouveau pont\n\n${SAMPLES.fr}\n\n${SAMPLES.fr}`));
    expect(plain.articles[0]?.article.language).toBe('fr');
    const html = `<html lang="de"><head><title>Neue Brücke</title></head><body><article><h1>Neue Brücke</h1><p>${SAMPLES.de}</p><p>${SAMPLES.de}</p></article></body></html>`;
    expect(parseFile('a.html', bytes(html)).articles[0]?.article.language).toBe('de');
  });
});
