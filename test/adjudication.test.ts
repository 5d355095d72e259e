// The adjudicated copy-pair labels of the quality bench (bench/adjudication.ts) and the committed verdict files.
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type Adjudication,
  adjudicatedLabels,
  adjudicationReport,
  closurePairs,
  loadAdjudication,
  pairKey,
  predictedPairs,
  silverPairs,
} from '../bench/adjudication.ts';

const v = (a: string, b: string, verdict: 'copy' | 'not-copy', silver = false, predicted = false) => ({ pair: [a, b] as [string, string], silver, predicted, verdict, why: 'test' });

describe('adjudicated labels', () => {
  it('closes groups transitively like score.py', () => {
    expect([...closurePairs([['a', 'b'], ['c', 'b'], ['x', 'y']])].sort()).toEqual(['a|b', 'a|c', 'b|c', 'x|y']);
  });

  it('applies verdicts to the silver closure and counts what they overturn', () => {
    const silver = closurePairs([['a', 'b'], ['c', 'd']]);
    const adj: Adjudication = { suite: 't', pairs: [v('a', 'e', 'copy'), v('b', 'e', 'copy'), v('c', 'd', 'not-copy', true)] };
    const l = adjudicatedLabels(silver, adj);
    expect([...l.pairs].sort()).toEqual(['a|b', 'a|e', 'b|e']);
    expect([l.added, l.removed]).toEqual([2, 1]);
    expect(l.implied).toEqual([]);
    expect(l.conflicts).toEqual([]);
  });

  it('reports pairs that only closure implies, and verdicts closure contradicts', () => {
    const silver = closurePairs([['a', 'b', 'c']]);
    // a-b and b-c stay copies, so a-c comes back however it was judged.
    const l = adjudicatedLabels(silver, { suite: 't', pairs: [v('a', 'c', 'not-copy', true), v('c', 'd', 'copy')] });
    expect(l.conflicts).toEqual(['a|c']);
    expect(l.implied).toEqual(['a|c', 'a|d', 'b|d']);
  });

  it('scores predictions against silver and adjudicated labels and lists unjudged disagreements', () => {
    const silver = closurePairs([['a', 'b']]);
    const pred = closurePairs([['a', 'b'], ['c', 'd'], ['e', 'f']]);
    const r = adjudicationReport(pred, silver, { suite: 't', pairs: [v('c', 'd', 'copy', false, true)] });
    expect(r.silver).toMatchObject({ tp: 1, predicted: 3, gold: 1, recall: 1 });
    expect(r.silver.precision).toBeCloseTo(1 / 3);
    expect(r.adjudicated).toMatchObject({ tp: 2, predicted: 3, gold: 2, recall: 1 });
    expect(r.adjudicated.f1).toBeCloseTo(0.8);
    expect(r.unjudged).toEqual([{ pair: 'e|f', predicted: true, silver: false }]);
  });

  it('maps analyze output to file pairs as the scorer does (#N dropped, one-file groups ignored)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'adj-'));
    for (const f of ['x.txt', 'y.txt', 'z.txt']) writeFileSync(path.join(dir, f), 'text');
    const data = {
      articles: [
        { id: '1', file: path.join(dir, 'x.txt') },
        { id: '2', file: `${path.join(dir, 'y.txt')}#2` },
        { id: '3', file: path.join(dir, 'z.txt') },
        { id: '4', file: `${path.join(dir, 'z.txt')}#1` },
      ],
      stories: [{ copies: [['1', '2']] }, { copies: [['3', '4']] }],
    };
    expect([...predictedPairs(data, dir)]).toEqual(['x.txt|y.txt']);
  });

  it('rejects malformed verdict files', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'adj-'));
    const file = path.join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ pairs: [{ pair: ['a', 'b'], silver: true, predicted: false, verdict: 'maybe', why: 'x' }] }));
    expect(() => loadAdjudication('bad', file)).toThrow(/verdict/);
    writeFileSync(file, JSON.stringify({ pairs: [v('a', 'b', 'copy'), v('b', 'a', 'not-copy')] }));
    expect(() => loadAdjudication('bad', file)).toThrow(/twice/);
    expect(loadAdjudication('none', path.join(dir, 'missing.json'))).toBeNull();
  });
});

// Every committed verdict file: well formed, closed (no pair judged only through closure), consistent
// with its suite's silver labels, and naming files that exist.
const benchDir = path.resolve(import.meta.dirname, '..', 'bench');
const evalDir = path.resolve(import.meta.dirname, '..', '..', 'shared', 'eval');
for (const f of readdirSync(benchDir).filter((x) => x.endsWith('-adjudication.json'))) {
  const suite = f.replace(/-adjudication\.json$/, '');
  describe(`bench/${f}`, () => {
    const adj = loadAdjudication(suite)!;
    it('has a verdict with a reason for each pair', () => {
      expect(adj.pairs.length).toBeGreaterThan(0);
      for (const p of adj.pairs) expect(p.why.length).toBeLessThan(300);
    });
    it.skipIf(!existsSync(path.join(evalDir, suite, 'gold.json')))('is closed and matches the silver labels it records', () => {
      const silver = silverPairs(path.join(evalDir, suite));
      for (const p of adj.pairs) {
        expect(existsSync(path.join(evalDir, suite, 'files', p.pair[0])), p.pair[0]).toBe(true);
        expect(existsSync(path.join(evalDir, suite, 'files', p.pair[1])), p.pair[1]).toBe(true);
        expect(silver.has(pairKey(p.pair[0], p.pair[1])), `${p.pair.join(' ~ ')} silver flag`).toBe(p.silver);
      }
      const l = adjudicatedLabels(silver, adj);
      expect(l.implied).toEqual([]);
      expect(l.conflicts).toEqual([]);
    });
  });
}
