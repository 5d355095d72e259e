// Unicode classes of code points as the project's regexes read them (\p{L}, \p{M}, \p{N}), for the hand-written
// scanners of the hot paths (tokens, word counts, article ids), which would otherwise run a Unicode regex per token.

export const LETTER = 1;
export const MARK = 2;
export const NUMBER = 4;
const KNOWN = 8;

const L = /^\p{L}$/u;
const M = /^\p{M}$/u;
const N = /^\p{N}$/u;

function classify(char: string): number {
  return (L.test(char) ? LETTER : 0) | (M.test(char) ? MARK : 0) | (N.test(char) ? NUMBER : 0);
}

/** Class of each BMP code unit (KNOWN set once filled), filled the first time the unit is met: 64 KiB at most. */
const bmp = new Uint8Array(0x10000);

/** LETTER, MARK and NUMBER bits of a code point (a lone surrogate is none of them). */
export function codePointClass(cp: number): number {
  if (cp < 0x10000) {
    let k = bmp[cp]!;
    if (k === 0) bmp[cp] = k = classify(String.fromCharCode(cp)) | KNOWN;
    return k & ~KNOWN;
  }
  return classify(String.fromCodePoint(cp));
}

/** Code units a code point takes (as read by String#codePointAt: a lone surrogate is one). */
export function unitsOf(cp: number): number {
  return cp >= 0x10000 ? 2 : 1;
}

/** End of the run, from i, of code points whose class has a bit of `mask` (i itself when the first has none). */
export function runEnd(s: string, i: number, mask: number): number {
  while (i < s.length) {
    const cp = s.codePointAt(i)!;
    if (!(codePointClass(cp) & mask)) break;
    i += unitsOf(cp);
  }
  return i;
}

/** End of the run, from i, of code points whose class has no bit of `mask` (the gap up to the next such code point). */
export function runEndOutside(s: string, i: number, mask: number): number {
  while (i < s.length) {
    const cp = s.codePointAt(i)!;
    if (codePointClass(cp) & mask) break;
    i += unitsOf(cp);
  }
  return i;
}
