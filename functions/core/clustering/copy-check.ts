// Whether one article is a copy of another, with the verified copy scores of the batch kept by pair.
import type { ClusterOptions } from '../cluster.ts';
import { packUnordered } from '../similarity/pair-key.ts';
import { type CopyScores, type PairScorer } from '../similarity/pairs.ts';

type CopyOptions = Pick<ClusterOptions, 'copyCoverage' | 'copyReach' | 'copyGate' | 'sentenceShare'>;

export class CopyCheck {
  /** Scores of the pairs found to be copies (by packed unordered pair). */
  private readonly copies = new Map<number, CopyScores>();
  constructor(private readonly scorer: PairScorer, private readonly o: CopyOptions) {}

  /** A full copy: most of the shorter aligns in order with the longer, and it reproduces a real part of the longer. */
  isCopy(c: CopyScores | null | undefined): c is CopyScores {
    return !!c && c.coverage >= this.o.copyCoverage && c.reach >= this.o.copyReach;
  }

  /**
   * Reach is not asked of two groups' canonicals: a short copy of a shortened version reproduces little
   * of the full article, yet it is the same article.
   */
  canonicalsAlign(c: CopyScores | null): boolean {
    return !!c && c.coverage >= this.o.copyCoverage;
  }

  /** The scores of a candidate pair when it is a copy (kept), else null. */
  verify(a: number, b: number): CopyScores | null {
    const o = this.o;
    // Cheap MinHash estimate of containment first; the exact term overlap only when it may pass.
    if (this.scorer.containmentEstimate(a, b) < o.copyGate - 0.1) return null;
    const c = this.scorer.copy(a, b, o.copyGate, o.sentenceShare, o.copyCoverage);
    if (!this.isCopy(c)) return null;
    this.copies.set(packUnordered(a, b), c);
    return c;
  }

  /** Scores of a pair already found to be a copy. */
  known(a: number, b: number): CopyScores | undefined {
    return this.copies.get(packUnordered(a, b));
  }

  /** Copy scores of any pair (computed when not known; null when the term sets are too different). */
  between(a: number, b: number): CopyScores | null {
    const k = packUnordered(a, b);
    let c = this.copies.get(k);
    if (c === undefined) {
      const computed = this.scorer.copy(a, b, this.o.copyGate, this.o.sentenceShare);
      if (!computed) return null;
      c = computed;
      if (this.isCopy(c)) this.copies.set(k, c);
    }
    return c;
  }
}
