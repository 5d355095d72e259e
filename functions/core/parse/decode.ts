// Bytes to text: refuse what is not text, undo gzip within limits, honour BOMs and declared charsets,
// fall back to Windows-1252 only for bytes that read as plausible 8-bit text.
import { gunzipSync } from 'node:zlib';
import { ParseError } from './errors.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
const utf8Lenient = new TextDecoder('utf-8', { fatal: false, ignoreBOM: false });

/** Signatures of common binary formats people drop by mistake. */
const BINARY_MAGIC: Array<[string, number[]]> = [
  ['PDF document', [0x25, 0x50, 0x44, 0x46, 0x2d]],
  ['PNG image', [0x89, 0x50, 0x4e, 0x47]],
  ['JPEG image', [0xff, 0xd8, 0xff]],
  ['GIF image', [0x47, 0x49, 0x46, 0x38]],
  ['WebP/RIFF media', [0x52, 0x49, 0x46, 0x46]],
  ['TIFF image', [0x49, 0x49, 0x2a, 0x00]],
  ['TIFF image', [0x4d, 0x4d, 0x00, 0x2a]],
  ['ZIP archive (or Office document)', [0x50, 0x4b, 0x03, 0x04]],
  ['ZIP archive', [0x50, 0x4b, 0x05, 0x06]],
  ['gzip data nested inside gzip', [0x1f, 0x8b]],
  ['bzip2 archive', [0x42, 0x5a, 0x68]],
  ['xz archive', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ['7-Zip archive', [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]],
  ['RAR archive', [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07]],
  ['zstd data', [0x28, 0xb5, 0x2f, 0xfd]],
  ['OLE document (old Word/Excel)', [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]],
  ['ELF executable', [0x7f, 0x45, 0x4c, 0x46]],
  ['Mach-O executable', [0xcf, 0xfa, 0xed, 0xfe]],
  ['Mach-O executable', [0xfe, 0xed, 0xfa, 0xcf]],
  ['WebAssembly module', [0x00, 0x61, 0x73, 0x6d]],
  ['SQLite database', [0x53, 0x51, 0x4c, 0x69, 0x74, 0x65, 0x20, 0x66]],
];

function startsWith(bytes: Uint8Array, sig: number[], at = 0): boolean {
  return sig.every((b, i) => bytes[at + i] === b);
}

/** A clear reason when the bytes are a known binary format, else null. */
export function binaryKind(bytes: Uint8Array): string | null {
  for (const [what, sig] of BINARY_MAGIC) if (startsWith(bytes, sig)) return what;
  // "MZ" alone starts ordinary words; a PE executable also has NUL bytes in its header.
  if (startsWith(bytes, [0x4d, 0x5a]) && bytes.subarray(0, 64).includes(0)) return 'Windows executable';
  if (startsWith(bytes, [0x66, 0x74, 0x79, 0x70], 4)) return 'MP4/QuickTime media';
  if (startsWith(bytes, [0x49, 0x44, 0x33])) return 'MP3 audio';
  return null;
}

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Decompress gzip (detected by its magic bytes), refusing output beyond `maxDecompressedBytes`. */
export function gunzipLimited(bytes: Uint8Array, maxDecompressedBytes: number): Uint8Array {
  try {
    return gunzipSync(bytes, { maxOutputLength: maxDecompressedBytes });
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (e instanceof RangeError || code === 'ERR_BUFFER_TOO_LARGE') {
      throw new ParseError(`decompressed size exceeds ${maxDecompressedBytes} bytes (maxDecompressedBytes): refusing a possible gzip bomb`);
    }
    throw new ParseError(`corrupt gzip data: ${e instanceof Error ? e.message : String(e)}`);
  }
}

// ---------------------------------------------------------------- charsets

/** WHATWG maps these labels to windows-1252; so do we (Latin-1 files use 0x80–0x9F as 1252 punctuation in practice). */
const WINDOWS_1252 = new Set([
  'windows-1252', 'cp1252', 'x-cp1252', 'iso-8859-1', 'iso8859-1', 'iso_8859-1', 'latin1', 'latin-1', 'l1', 'cp819',
  'ibm819', 'us-ascii', 'ascii', 'ansi_x3.4-1968', 'iso-ir-100', 'csisolatin1',
]);
const WHATWG_ALIASES: Record<string, string> = {
  'iso-8859-9': 'windows-1254', 'latin5': 'windows-1254', 'iso-8859-11': 'windows-874', 'tis-620': 'windows-874',
  'gb2312': 'gbk', 'x-gbk': 'gbk', 'ks_c_5601-1987': 'euc-kr', 'x-sjis': 'shift_jis', 'sjis': 'shift_jis',
};

/** Normalised encoding name for a declared label, or null when it is unknown or means UTF-8/UTF-16 (both read as UTF-8). */
export function normaliseCharset(label: string): string | null {
  const l = label.trim().toLowerCase();
  if (/^(utf-?8|unicode-1-1-utf-8|utf-?16(le|be)?|unicode|ucs-2)$/.test(l)) return null;
  if (WINDOWS_1252.has(l)) return 'windows-1252';
  const name = WHATWG_ALIASES[l] ?? l;
  return encodingExists(name) ? name : null;
}

// Windows-1252's 0x80–0x9F block (WHATWG; the five undefined bytes stay C1 controls as browsers keep them).
const CP1252_C1 = '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

/** Node 20's TextDecoder reads `windows-1252` as ISO-8859-1 (curly quotes become C1 controls), so map it here. */
function decodeWindows1252(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length)
    .toString('latin1')
    .replace(/[\u0080-\u009f]/g, (c) => CP1252_C1[c.charCodeAt(0) - 0x80]!);
}

/** Node's TextDecoder (full ICU) knows the other WHATWG legacy encodings: no conversion tables to bundle. */
function encodingExists(name: string): boolean {
  try {
    new TextDecoder(name);
    return true;
  } catch {
    return false;
  }
}

/** The charset a file declares in its first bytes: XML declaration, `<meta charset>` or `<meta http-equiv>`. */
export function declaredCharset(bytes: Uint8Array): string | null {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, 16 * 1024)).toString('latin1');
  const xml = head.match(/^\s*<\?xml\b[^>]*?\bencoding\s*=\s*["']\s*([\w.:-]+)\s*["']/i);
  if (xml?.[1]) return xml[1];
  const meta = head.match(/<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([\w.:-]+)/i);
  return meta?.[1] ?? null;
}

function isControl(code: number): boolean {
  return (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d && code !== 0x0c) || code === 0x7f;
}

/**
 * Whether bytes that are not UTF-8 read as Western 8-bit text: no control bytes, few high bytes, and those
 * mostly letters or typographic punctuation in Windows-1252. Random junk fails every one of these.
 */
function plausible8bit(bytes: Uint8Array): boolean {
  const sample = bytes.subarray(0, 64 * 1024);
  let controls = 0;
  let high = 0;
  let spaces = 0;
  for (const b of sample) {
    if (isControl(b)) controls++;
    else if (b >= 0x80) high++;
    else if (b === 0x20 || b === 0x0a) spaces++;
  }
  const n = sample.length;
  if (controls > n * 0.002 || high > n * 0.3 || spaces < n * 0.05) return false;
  const decoded = decodeWindows1252(sample);
  const highChars = decoded.match(/[^\x00-\x7f]/g) ?? [];
  const good = highChars.filter((c) => /[\p{L}\u2018-\u201f\u2013\u2014\u2026\u2022\u20ac\u00a0\u00a3\u00a9\u00ab\u00bb\u00b0\u00a7\u00b7\u00bd\u00bc\u00be]/u.test(c)).length;
  return good >= highChars.length * 0.7;
}

/** The BOM-less UTF-16 of mostly-ASCII text has a NUL in every other byte. */
function utf16WithoutBom(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | null {
  const n = Math.min(bytes.length, 4096) & ~1;
  if (n < 8) return null;
  let evenZero = 0;
  let oddZero = 0;
  for (let i = 0; i < n; i += 2) {
    if (bytes[i] === 0) evenZero++;
    if (bytes[i + 1] === 0) oddZero++;
  }
  const pairs = n / 2;
  if (oddZero > pairs * 0.4 && evenZero < pairs * 0.02) return 'utf-16le';
  if (evenZero > pairs * 0.4 && oddZero < pairs * 0.02) return 'utf-16be';
  return null;
}

/** Windows-1252 characters for bytes 0x80–0xFF. */
const CP1252_HIGH = decodeWindows1252(Uint8Array.from({ length: 128 }, (_, i) => 0x80 + i));

/** Length of the valid UTF-8 sequence starting at `i` (lead byte ≥ 0x80), or 0 when it is invalid. */
function utf8SequenceLength(bytes: Uint8Array, i: number): number {
  const b = bytes[i]!;
  const cont = (k: number, lo = 0x80, hi = 0xbf) => {
    const c = bytes[i + k];
    return c !== undefined && c >= lo && c <= hi;
  };
  if (b >= 0xc2 && b <= 0xdf) return cont(1) ? 2 : 0;
  if (b === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if (b === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
  if (b >= 0xe1 && b <= 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (b === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (b >= 0xf1 && b <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (b === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

/** Length without a multi-byte character cut off at the very end (a file truncated at a byte limit). */
function completeLength(bytes: Uint8Array): number {
  for (let back = 1; back <= 3 && back <= bytes.length; back++) {
    const b = bytes[bytes.length - back]!;
    if (b >= 0x80 && b <= 0xbf) continue; // continuation byte: keep looking for the lead
    const need = b >= 0xf0 && b <= 0xf4 ? 4 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xc2 && b <= 0xdf ? 2 : 1;
    return need > back ? bytes.length - back : bytes.length;
  }
  return bytes.length;
}

/**
 * UTF-8 with a few stray bytes (a Windows-1252 quote pasted in, a file cut mid-character): keep the UTF-8 and read
 * each stray byte as Windows-1252, instead of decoding the whole file as 8-bit (which would make mojibake of every
 * correct character). Null when the stray bytes are not clearly outnumbered by valid multi-byte characters.
 */
function decodeMostlyUtf8(whole: Uint8Array): string | null {
  const bytes = whole.subarray(0, completeLength(whole));
  let valid = 0;
  const stray: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i]! < 0x80) continue;
    const len = utf8SequenceLength(bytes, i);
    if (len) {
      valid++;
      i += len - 1;
    } else {
      stray.push(i);
      if (stray.length > valid + 1000) return null; // clearly not UTF-8: stop early
    }
  }
  if (valid === 0 || stray.length > Math.max(2, valid / 4)) return null;
  let out = '';
  let start = 0;
  for (const i of stray) {
    out += utf8.decode(bytes.subarray(start, i)) + CP1252_HIGH[bytes[i]! - 0x80];
    start = i + 1;
  }
  return out + utf8.decode(bytes.subarray(start));
}

function decodeWith(bytes: Uint8Array, encoding: string): string {
  if (encoding === 'windows-1252') return decodeWindows1252(bytes);
  // TextDecoder drops a leading BOM by default.
  return new TextDecoder(encoding).decode(bytes);
}

/** Final check on decoded text: control characters or replacement characters in bulk mean it is not text. */
function checkDecoded(text: string): string {
  const sample = text.slice(0, 64 * 1024);
  const controls = sample.match(/[\u0001-\u0008\u000b\u000e-\u001f\u007f]/g)?.length ?? 0;
  if (controls > 8 && controls / sample.length > 0.01) throw new ParseError('binary file (control characters), not text');
  const replacements = sample.match(/\ufffd/g)?.length ?? 0;
  if (replacements > 8 && replacements / sample.length > 0.01) throw new ParseError('not text: too many undecodable byte sequences');
  return text;
}

// A UTF-8 sequence read as Latin-1 or Windows-1252 and saved again as UTF-8 ("Investor\u00e2\u0080\u0099s",
// "Investorâ€™s"): a lead character followed by continuation characters.
const CP1252_BYTE = new Map([...CP1252_C1].map((c, i) => [c, 0x80 + i]));
const CONT = `[\u0080-\u00bf${CP1252_C1}]`;
const DOUBLE_ENCODED = new RegExp(`[\u00c2-\u00df]${CONT}|[\u00e0-\u00ef]${CONT}{2}|[\u00f0-\u00f4]${CONT}{3}`, 'g');
const C1 = /[\u0080-\u009f]/;
const CP1252_PUNCT = new RegExp(`[${CP1252_C1}]`);

/**
 * Certain on its own: a C1 control, which real text never holds, or a three- or four-byte sequence with a
 * Windows-1252 character of the 0x80–0x9F block ("â€™"). Two-byte ones ("Ã©", but also "CAFÉ’S") are repaired
 * only in a text that has two certain ones, i.e. was encoded twice throughout.
 */
const certain = (seq: string) => C1.test(seq) || (seq >= '\u00e0' && CP1252_PUNCT.test(seq.slice(1)));

/** Undo double UTF-8 encoding where it is certain and the bytes decode as UTF-8. */
export function repairDoubleEncoded(text: string): string {
  if (!C1.test(text) && !CP1252_PUNCT.test(text)) return text;
  let sure = 0;
  for (const m of text.matchAll(DOUBLE_ENCODED)) if (certain(m[0]) && ++sure >= 2) break;
  if (sure === 0) return text;
  return text.replace(DOUBLE_ENCODED, (seq) => {
    if (sure < 2 && !certain(seq)) return seq;
    try {
      return utf8.decode(Uint8Array.from(seq, (c) => CP1252_BYTE.get(c) ?? c.charCodeAt(0)));
    } catch {
      return seq;
    }
  });
}

export function decodeBytes(bytes: Uint8Array): string {
  if (bytes.length === 0) throw new ParseError('empty file');
  const binary = binaryKind(bytes);
  if (binary) throw new ParseError(`binary file (${binary}), not an article`);
  // Byte order marks decide, UTF-32 before UTF-16 (FF FE 00 00 starts both).
  if (startsWith(bytes, [0xff, 0xfe, 0x00, 0x00])) return checkDecoded(decodeWith(bytes.subarray(4), 'utf-32le'));
  if (startsWith(bytes, [0x00, 0x00, 0xfe, 0xff])) return checkDecoded(decodeWith(bytes.subarray(4), 'utf-32be'));
  if (startsWith(bytes, [0xff, 0xfe])) return checkDecoded(new TextDecoder('utf-16le').decode(bytes.subarray(2)));
  if (startsWith(bytes, [0xfe, 0xff])) return checkDecoded(new TextDecoder('utf-16be').decode(bytes.subarray(2)));
  if (startsWith(bytes, [0xef, 0xbb, 0xbf])) return checkDecoded(utf8Lenient.decode(bytes));
  const utf16 = utf16WithoutBom(bytes);
  if (utf16) return checkDecoded(new TextDecoder(utf16).decode(bytes));
  // NUL bytes never occur in text of any 8-bit encoding.
  if (bytes.subarray(0, 64 * 1024).includes(0)) throw new ParseError('binary file (contains NUL bytes), not text');

  const label = declaredCharset(bytes);
  const declared = label ? normaliseCharset(label) : null;
  // Valid UTF-8 with non-ASCII bytes is UTF-8 whatever the file declares: 8-bit text is almost never valid UTF-8
  // by chance, while pages re-saved as UTF-8 under an old Latin-1 declaration are common. Decoding those as declared
  // would make mojibake.
  let text: string | null = null;
  try {
    text = utf8.decode(bytes);
  } catch {
    // not UTF-8: the declaration, or a plausible 8-bit reading, decides
  }
  if (text !== null) {
    // 7-bit stateful encodings are valid ASCII, hence valid UTF-8: only their declaration tells them apart.
    if (declared && /^(iso-2022|utf-7|hz)/.test(declared)) return checkDecoded(decodeWith(bytes, declared));
    return checkDecoded(repairDoubleEncoded(text));
  }
  const mixed = decodeMostlyUtf8(bytes);
  if (mixed) return checkDecoded(mixed);
  if (declared) return checkDecoded(decodeWith(bytes, declared));
  if (plausible8bit(bytes)) return checkDecoded(decodeWith(bytes, 'windows-1252'));
  const unknown = label && !/^utf|^unicode|^ucs/i.test(label.trim()) ? `unknown declared charset "${label.slice(0, 40)}"` : null;
  throw new ParseError(
    `not text: invalid UTF-8 and not plausible 8-bit text (${unknown ?? (label ? `declared "${label.slice(0, 40)}"` : 'no charset declared')})`,
  );
}
