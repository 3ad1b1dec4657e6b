/**
 * A review's verdicts and reviewers as the definition words them, read once for the interpreter, the
 * checks, the diagram and the inbox. A review without `outcomes:` offers approve, reject and return under
 * those names, as it always did. Pure module: safe to import from workflow code.
 */
import type { ReviewOutcomeSpec, ReviewSpec, RoleRef, Target } from './model';

export type Verdict = 'approve' | 'reject' | 'return';

export interface ReviewVerdict {
  verdict: Verdict;
  /** The outcome name a decision sends. */
  name: string;
  /** What a button or an arrow says: the definition's label, else the verdict in words. */
  words: string;
  label?: string;
  commentRequired: boolean;
  /** Form fields that must be filled for this verdict. */
  requires: string[];
  /** Where approve and reject lead; return loops back to the owner. */
  target?: Target;
}

const WORDS: Record<Verdict, string> = { approve: 'approved', reject: 'rejected', return: 'returned' };

/** The verdicts offered, in the order the buttons show them: approve, reject, return. */
export function reviewVerdicts(review: ReviewSpec): ReviewVerdict[] {
  const listed = review.outcomes;
  const verdict = (verdict: Verdict, spec: ReviewOutcomeSpec | undefined, fallback: Target | undefined): ReviewVerdict => ({
    verdict,
    name: spec?.name ?? verdict,
    words: spec?.label ?? WORDS[verdict],
    ...(spec?.label === undefined ? {} : { label: spec.label }),
    commentRequired: spec?.comment === undefined ? verdict !== 'approve' : spec.comment === 'required',
    requires: spec?.requires ?? [],
    target: spec && (spec.next !== undefined || spec.end !== undefined) ? { next: spec.next, end: spec.end, reason: spec.reason } : fallback,
  });
  const out = [verdict('approve', listed?.approve, review.approved)];
  // Listing outcomes and leaving out `reject` means the reviewer may only approve or return.
  if (!listed || listed.reject) out.push(verdict('reject', listed?.reject, review.rejected ?? { end: 'rejected' }));
  out.push(verdict('return', listed?.return, undefined));
  return out;
}

export interface Reviewer {
  reviewer: RoleRef;
  stage?: string;
}

/** The reviewers in order: `reviewers:` entries, or the single `reviewer:`. */
export function reviewersOf(review: ReviewSpec): Reviewer[] {
  if (review.reviewers) {
    return review.reviewers.map((entry) => (typeof entry === 'object' && 'reviewer' in entry ? { reviewer: entry.reviewer, ...(entry.stage ? { stage: entry.stage } : {}) } : { reviewer: entry }));
  }
  return review.reviewer === undefined ? [] : [{ reviewer: review.reviewer }];
}
