import { describe, expect, it } from 'vitest';
import { decodeBytes, repairDoubleEncoded } from '../functions/core/parse/decode.ts';
import { parseFile } from '../functions/core/parse/index.ts';

// "’" (E2 80 99) read as Latin-1 and saved again as UTF-8: "â" plus two C1 controls.
const doubled = (s: string) => Buffer.from(Buffer.from(s, 'utf8').toString('latin1'), 'utf8');

describe('repairDoubleEncoded: UTF-8 read as Latin-1 and encoded again', () => {
  it('restores the characters in a page sent that way', () => {
    const html = `<html><head><meta charset="utf-8"><title>An Investor’s Guide</title></head><body><p>It’s “here” — now</p></body></html>`;
    expect(decodeBytes(doubled(html))).toBe(html);
  });

  it('leaves real Latin-1 letters alone (no C1 control in the sequence)', () => {
    expect(repairDoubleEncoded('Ã© is not repaired, nor São Paulo')).toBe('Ã© is not repaired, nor São Paulo');
  });

  it('keeps a C1 sequence that does not decode as UTF-8', () => {
    expect(repairDoubleEncoded('a\u00e2\u0080b')).toBe('a\u00e2\u0080b');
  });
});

describe('repairDoubleEncoded: UTF-8 read as Windows-1252 and encoded again', () => {
  it('restores curly quotes and dashes, and accents in a text encoded twice throughout', () => {
    expect(repairDoubleEncoded('If Iâ€™d known â€” Â«cafÃ©Â» â€œnowâ€\u009d')).toBe('If I’d known — «café» “now”');
    expect(repairDoubleEncoded('Ã© stays beside a single Iâ€™d')).toBe('Ã© stays beside a single I’d');
  });

  it('leaves text alone where the Windows-1252 reading is not certain', () => {
    const plain = 'Ã© and Â® stay; “Ça va” — Zürich’s';
    expect(repairDoubleEncoded(plain)).toBe(plain);
  });
});

describe('repairDoubleEncoded: what it leaves alone', () => {
  it('keeps a capital accented letter before a curly apostrophe', () => {
    expect(repairDoubleEncoded('JOSÉ’S CAFÉ’S menu, “now”')).toBe('JOSÉ’S CAFÉ’S menu, “now”');
  });
});

describe('parseFile: text encoded twice behind entities', () => {
  it('repairs the article once the entities are decoded', () => {
    const p = '<p>These aren&acirc;&euro;&trade;t just tools &acirc;&euro;&rdquo; they change how every team in the newsroom works today.</p>';
    const html = `<html><head><title>Why it&acirc;&euro;&trade;s here</title></head><body><article><h1>Why it&acirc;&euro;&trade;s here</h1>${p.repeat(4)}</article></body></html>`;
    const a = parseFile('p.html', new TextEncoder().encode(html)).articles[0]!.article;
    expect(a.title).toBe('Why it’s here');
    expect(a.text).toContain('These aren’t just tools — they change');
  });
});
