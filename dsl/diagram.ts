/**
 * Draws a definition as a Mermaid flowchart: one lane (subgraph) per role for the steps people do, one for
 * the steps the engine does; each step shows its title, what it does and the stage it enters; every arrow
 * out of an outcome or a branch says in words when it is taken; parallel branches meet at a join; deadlines
 * are written on the arrows into the steps they govern. `{{ placeholders }}` read as words (‹partner name›).
 */
import { fallsThrough } from './checks';
import type { Definition, Step, Target } from './model';
import { reviewersOf, reviewVerdicts } from './review';
import { roleChoices } from './roles';

const ENGINE_LANE = 'engine';

interface Edge {
  from: string;
  to: string;
  label?: string;
}

export function toMermaid(def: Definition): string {
  const lanes = new Map<string, string[]>();
  const edges: Edge[] = [];
  const ends = new Set<string>();
  const joins: string[] = [];
  const node = (id: string) => `s_${id.replace(/-/g, '_')}`; // step ids are [a-z0-9-]: this cannot collide
  const endNode = (status: string) => {
    ends.add(status);
    return `end_${status}`;
  };

  const place = (step: Step) => {
    const lane = laneOf(step);
    const lines = [text(step.title ?? step.id), `<i>${text(kindLabel(step))}</i>`];
    if (step.stage) lines.push(`stage: ${text(step.stage)}`);
    const label = lines.join('<br/>');
    const shape = step.branch ? `{"${label}"}` : step.task || step.review || step.checklist ? `["${label}"]` : `("${label}")`;
    lanes.set(lane, [...(lanes.get(lane) ?? []), `${node(step.id)}${shape}`]);
  };

  /**
   * Draws a list of steps; `exit` is where control goes after its last step (the end, a join, or the review
   * an `on-return` detour comes back to), and `exitWords` what that last arrow says.
   */
  const walk = (steps: Step[], exit: () => string, exitWords?: string) => {
    steps.forEach((step, index) => {
      place(step);
      const from = node(step.id);
      const to = (target: Target) => (target.end ? endNode(target.end) : node(target.next!));
      for (const { target, label } of exits(step)) edges.push({ from, to: to(target), label });
      if (step.next !== undefined) edges.push({ from: step.parallel ? join(step) : from, to: node(step.next), label: continueLabel(step) });
      if (step.end) edges.push({ from, to: endNode(step.end) });
      const onReturn = step.review?.['on-return'];
      const onResubmit = step.review?.['on-resubmit'];
      if (onReturn || onResubmit) {
        // The steps run on a return and on a resubmission, drawn as a detour that comes back to the review.
        const returned = reviewVerdicts(step.review!).find((v) => v.verdict === 'return')!;
        const reworked = `reworked by ${text(roleChoices(step.review!.owner).roles.join(' or ') || 'the owner')}`;
        if (onReturn) {
          edges.push({ from, to: node(onReturn[0].id), label: text(returned.words) });
          walk(onReturn, () => (onResubmit ? node(onResubmit[0].id) : from), onResubmit ? `${reworked}, resubmitted` : `${reworked}, reviewed again`);
        } else edges.push({ from, to: node(onResubmit![0].id), label: `${text(returned.words)}, ${reworked}, resubmitted` });
        if (onResubmit) walk(onResubmit, () => from, 'reviewed again');
      }
      if (step.parallel) {
        const joined = join(step);
        for (const [branch, branchSteps] of Object.entries(step.parallel)) {
          edges.push({ from, to: node(branchSteps[0].id), label: `branch ${text(branch)}` });
          walk(branchSteps, () => joined);
        }
      }
      if (fallsThrough(step) && step.next === undefined) {
        const following = steps[index + 1];
        const origin = step.parallel ? join(step) : from;
        const words = following ? continueLabel(step) : [continueLabel(step), exitWords].filter(Boolean).join(', ') || undefined;
        edges.push({ from: origin, to: following ? node(following.id) : exit(), label: words });
      }
    });
  };
  const join = (step: Step) => {
    const id = `join_${step.id.replace(/-/g, '_')}`;
    if (!joins.includes(id)) joins.push(id);
    return id;
  };
  walk(def.steps, () => endNode('completed'));

  // Deadlines go on the arrows entering the steps they govern.
  const timed = new Map<string, string>();
  const collect = (steps: Step[]) =>
    steps.forEach((s) => {
      const timing = timingLabel(s, def);
      if (timing) timed.set(node(s.id), timing);
      Object.values(s.parallel ?? {}).forEach(collect);
      if (s.review?.['on-return']) collect(s.review['on-return']);
      if (s.review?.['on-resubmit']) collect(s.review['on-resubmit']);
    });
  collect(def.steps);

  const lines = ['flowchart TD', `  start((start)) --> ${node(def.steps[0].id)}`];
  [...lanes].forEach(([lane, nodes], index) => {
    const title = lane === ENGINE_LANE ? 'engine (systems, timers, events)' : `${lane}: ${lane.split(LANE_JOIN).map((role) => def.roles[role] ?? '').join(' / ')}`;
    // Numbered, so that roles such as `sales-ops` and `sales_ops` still get lanes of their own.
    lines.push(`  subgraph lane_${index + 1}_${lane.replace(/[^a-zA-Z0-9]/g, '_')}["${text(title)}"]`, ...nodes.map((n) => `    ${n}`), '  end');
  });
  for (const id of joins) lines.push(`  ${id}{{"all branches done"}}`);
  for (const status of ends) lines.push(`  end_${status}(((${status})))`);
  for (const edge of edges) {
    const label = [edge.label, timed.get(edge.to)].filter(Boolean).join(' · ');
    lines.push(label ? `  ${edge.from} -->|"${label}"| ${edge.to}` : `  ${edge.from} --> ${edge.to}`);
  }
  return lines.join('\n') + '\n';
}

/** What an arrow to the step after this one says: the outcomes that lead there, and "or skipped" for a `when:`. */
function continueLabel(step: Step): string | undefined {
  const words: string[] = [];
  const outcomes = Object.entries(step.task?.outcomes ?? {}).filter(([, o]) => o.next === undefined && o.end === undefined);
  if (outcomes.length) words.push(outcomes.map(([name, o]) => text(o.label ?? name)).join(' / '));
  const approve = step.review && reviewVerdicts(step.review)[0];
  if (approve && approve.target === undefined) words.push(text(approve.words));
  if (step.when !== undefined) words.push(words.length ? 'or skipped' : 'skipped or done');
  return words.length ? words.join(', ') : undefined;
}

/** The labelled ways out of a step: outcomes, review verdicts, branch cases, timeouts, failed checklists, caps. */
function exits(step: Step): { target: Target; label: string }[] {
  const out: { target: Target; label: string }[] = [];
  const add = (target: Target | undefined, label: string) => {
    if (target && (target.next !== undefined || target.end !== undefined)) out.push({ target, label });
  };
  for (const [name, outcome] of Object.entries(step.task?.outcomes ?? {})) add(outcome, text(outcome.label ?? name));
  if (step.review) {
    for (const verdict of reviewVerdicts(step.review)) if (verdict.target) add(verdict.target, text(verdict.words));
    add(step.review['on-cap'], `returned ${step.review['max-rounds']} times`);
  }
  step.branch?.forEach((branchCase) => add(branchCase, text(branchCase.title ?? (branchCase.when === undefined ? 'otherwise' : `when ${branchCase.when}`))));
  const waitFor = step['wait-for'];
  if (waitFor) add(waitFor['on-timeout'], `no ${waitFor.event} within ${waitFor.timeout ?? 'the timeout'}`);
  if (step.poll) add(step.poll['on-timeout'], text(`not ${step.poll.until} within ${step.poll.timeout ?? 'the timeout'}`));
  if (step.checklist) add(step.checklist['on-fail'], 'an item not done');
  if (step['max-visits']) add(step['max-visits'].then, `after ${step['max-visits'].count} visits`);
  return out;
}

function laneOf(step: Step): string {
  // A role chosen by the data among several is drawn in a lane of its own, named by the roles it can give
  // ("virtual-sales or partner-manager"), so no one role's lane claims work the other may do.
  const ref = step.task?.role ?? (step.review && reviewersOf(step.review)[0]?.reviewer) ?? step.checklist?.items[0].verifier;
  const roles = ref === undefined ? [] : roleChoices(ref).roles;
  return roles.length ? roles.join(LANE_JOIN) : ENGINE_LANE;
}

const LANE_JOIN = ' or ';

function kindLabel(step: Step): string {
  if (step.call) return `call ${step.call}`;
  if (step.task) return step.title === undefined ? step.task.title : `task: ${step.task.title}`;
  if (step.review) return `review: ${step.review.title} (${reviewersLabel(step.review)}owner ${roleChoices(step.review.owner).roles.join(' or ') || 'chosen by the data'}${step.review['max-rounds'] ? `, max ${step.review['max-rounds']} rounds` : ''})`;
  if (step.checklist) return `checklist: ${step.checklist.title}`;
  if (step.notify) return `e-mail ${step.notify.role ?? step.notify.address}: ${step.notify.subject}`;
  if (step.wait) return step.wait.for ? `wait ${step.wait.for}` : `wait until ${step.wait.until}`;
  if (step['wait-for']) return `wait for ${step['wait-for'].event}${step['wait-for'].timeout ? ` (timeout ${step['wait-for'].timeout})` : ''}`;
  if (step.poll) return `until ${step.poll.until} (${step.poll.call} every ${step.poll.every})`;
  if (step['for-each']) return `for each ${step['for-each'].as ?? 'item'} in ${step['for-each'].items}`;
  if (step.branch) return 'branch';
  if (step.parallel) return 'parallel';
  if (step.subprocess) return `subprocess ${step.subprocess}`;
  if (step.set) return 'set variables';
  if (step.end) return `end ${step.end}`;
  return '';
}

/** "reviewers iod, then provisioning; " for a review with several reviewers. */
function reviewersLabel(review: NonNullable<Step['review']>): string {
  const reviewers = reviewersOf(review);
  if (reviewers.length < 2) return '';
  return `reviewers ${reviewers.map((r) => roleChoices(r.reviewer).roles.join(' or ') || 'chosen by the data').join(', then ')}; `;
}

function timingLabel(step: Step, def: Definition): string | undefined {
  const parts: string[] = [];
  const due = step.task?.due ?? step.review?.due ?? step.checklist?.due;
  if (due) parts.push(`due ${due}`);
  if (step.deadline) {
    const d = def.deadlines?.[step.deadline];
    parts.push(`by ${step.deadline}${d ? ` (${d.after ? `${d.after} after ` : ''}${d.from})` : ''}`);
  }
  if (step.escalate) parts.push(`escalate to ${step.escalate.to} ${step.escalate.after ? `after ${step.escalate.after}` : `${step.escalate.before} before`}`);
  return parts.length ? text(parts.join(', ')) : undefined;
}

/**
 * Author text made safe inside a quoted Mermaid label, with `{{ input.partnerName }}` shown as
 * ‹partner name›, and a longer expression as ‹…›.
 */
function text(value: string): string {
  const readable = value.replace(/\{\{(.+?)\}\}/g, (_, expression: string) => {
    const source = expression.trim();
    if (!/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/.test(source)) return '‹…›';
    const last = source.split('.').pop()!;
    return `‹${last.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').toLowerCase()}›`;
  });
  return readable.replace(/"/g, '#quot;').replace(/</g, '#60;').replace(/>/g, '#62;').replace(/\s*\n\s*/g, ' ');
}
