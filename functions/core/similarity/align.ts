// In-order sentence alignment: how much of article A (weighted by content terms per sentence) can be
// matched, in the same order, to sentences of article B. A sentence matches when at least `minShare`
// of its terms occur in one sentence of B or in two consecutive ones (a sentence split in two by an
// editor), with at least two shared terms. Order is enforced by a weighted longest non-decreasing
// subsequence over the matched positions, so shuffled boilerplate or a shared quote or two do not add up.

export interface Alignment {
  /** Share of A's sentence terms aligned in order. */
  coverage: number;
  /** Share of A's sentence terms matched anywhere (order ignored). */
  matched: number;
  /** Sentences of A aligned in order. */
  sentences: number;
}

export function alignSentences(a: Int32Array[], b: Int32Array[], minShare: number): Alignment {
  let total = 0;
  for (const s of a) total += s.length;
  if (total === 0 || b.length === 0) return { coverage: 0, matched: 0, sentences: 0 };
  const post = new Map<number, number[]>();
  for (let j = 0; j < b.length; j++) {
    for (const t of b[j]!) {
      let l = post.get(t);
      if (!l) post.set(t, (l = []));
      if (l[l.length - 1] !== j) l.push(j);
    }
  }
  const win = new Int32Array(b.length);
  const touched: number[] = [];
  const pos: number[] = [];
  const wts: number[] = [];
  let matchedW = 0;
  for (let i = 0; i < a.length; i++) {
    const s = a[i]!;
    if (s.length === 0) continue;
    for (const t of s) {
      const l = post.get(t);
      if (!l) continue;
      let last = -1;
      for (const p of l) {
        // window j covers sentences j and j+1
        for (const w of p > 0 ? [p - 1, p] : [p]) {
          if (w <= last) continue;
          if (win[w] === 0) touched.push(w);
          win[w]!++;
          last = w;
        }
      }
    }
    let best = -1;
    let bestC = 0;
    for (const w of touched) {
      const c = win[w]!;
      if (c > bestC || (c === bestC && w < best)) { bestC = c; best = w; }
    }
    for (const w of touched) win[w] = 0;
    touched.length = 0;
    if (best >= 0 && bestC >= Math.min(2, s.length) && bestC / s.length >= minShare) {
      pos.push(best);
      wts.push(s.length);
      matchedW += s.length;
    }
  }
  // Weighted longest non-decreasing subsequence of positions.
  const dp = new Float64Array(pos.length);
  const cnt = new Int32Array(pos.length);
  let bestW = 0;
  let bestN = 0;
  for (let x = 0; x < pos.length; x++) {
    dp[x] = wts[x]!;
    cnt[x] = 1;
    for (let y = 0; y < x; y++) {
      if (pos[y]! <= pos[x]! && dp[y]! + wts[x]! > dp[x]!) {
        dp[x] = dp[y]! + wts[x]!;
        cnt[x] = cnt[y]! + 1;
      }
    }
    if (dp[x]! > bestW) { bestW = dp[x]!; bestN = cnt[x]!; }
  }
  return { coverage: bestW / total, matched: matchedW / total, sentences: bestN };
}
