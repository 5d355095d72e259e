import { describe, expect, it } from 'vitest';
import { decodeBytes, repairDoubleEncoded } from '../functions/core/parse/decode.ts';

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
