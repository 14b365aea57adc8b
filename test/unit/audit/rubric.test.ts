import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gradeBelow, gradeOf, modifierOf, RUBRIC, scoreModifiers } from '../../../src/audit/observatory/rubric.js';

describe('Observatory rubric arithmetic', () => {
  it('takes penalties first, then adds bonuses only from a penalty-only score of 90', () => {
    assert.deepEqual(scoreModifiers([-10, 5, 10]), { score: 105, penaltyScore: 90, bonusesApplied: true });
    assert.deepEqual(scoreModifiers([-15, 5, 10]), { score: 85, penaltyScore: 85, bonusesApplied: false });
    assert.deepEqual(scoreModifiers([0, 0]), { score: 100, penaltyScore: 100, bonusesApplied: false });
  });

  it('never goes below zero, even when bonuses would have lifted it', () => {
    assert.deepEqual(scoreModifiers([-50, -40, -25, -20, 10]), { score: 0, penaltyScore: 0, bonusesApplied: false });
  });

  it('grades on the published chart, at every boundary', () => {
    const chart: [number, string][] = [
      [145, 'A+'], [100, 'A+'], [99, 'A'], [90, 'A'], [89, 'A-'], [85, 'A-'], [84, 'B+'], [80, 'B+'], [79, 'B'], [70, 'B'],
      [69, 'B-'], [65, 'B-'], [64, 'C+'], [60, 'C+'], [59, 'C'], [50, 'C'], [49, 'C-'], [45, 'C-'], [44, 'D+'], [40, 'D+'],
      [39, 'D'], [30, 'D'], [29, 'D-'], [25, 'D-'], [24, 'F'], [0, 'F'],
    ];
    for (const [score, grade] of chart) assert.equal(gradeOf(score), grade, `score ${score}`);
  });

  it('orders grades for --fail-under', () => {
    assert.equal(gradeBelow('A', 'A+'), true);
    assert.equal(gradeBelow('A+', 'A'), false);
    assert.equal(gradeBelow('B', 'B'), false);
    assert.equal(gradeBelow('F', 'D-'), true);
  });

  it('caps at the rubric maximum: every bonus at once is 100 + 10 + 5 + 5 + 5 + 5 + 10', () => {
    const best = Object.values(RUBRIC).map((results) => Math.max(...Object.values(results).map(([modifier]) => modifier)));
    // hsts-preloaded (+5) is never awarded (it needs the browsers' preload list), so 140 instead of the page's 145.
    assert.equal(scoreModifiers(best).score, 140);
  });

  it('carries the published modifiers', () => {
    assert.equal(modifierOf('content-security-policy', 'csp-not-implemented')[0], -25);
    assert.equal(modifierOf('cookies', 'cookies-session-without-secure-flag')[0], -40);
    assert.equal(modifierOf('cross-origin-resource-sharing', 'cross-origin-resource-sharing-implemented-with-universal-access')[0], -50);
    assert.equal(modifierOf('cross-origin-resource-policy', 'corp-implemented-with-same-origin')[0], 10);
    assert.equal(modifierOf('x-frame-options', 'x-frame-options-implemented-via-csp')[0], 5);
    assert.equal(modifierOf('strict-transport-security', 'hsts-implemented-max-age-less-than-six-months')[0], -10);
    assert.equal(modifierOf('subresource-integrity', 'sri-not-implemented-and-external-scripts-not-loaded-securely')[0], -50);
  });
});
