/**
 * Draws a definition as a Mermaid flowchart: one lane (subgraph) per role for the steps people do, one for
 * the steps the engine does, arrows for every way control can go, and deadlines written on the arrows
 * into the steps they govern.
 */
import { fallsThrough, jumps } from './checks';
import type { Definition, Step } from './model';
import { roleChoices } from './roles';

const ENGINE_LANE = 'engine';

export function toMermaid(def: Definition): string {
  const lanes = new Map<string, string[]>();
  const edges: string[] = [];
  const node = (id: string) => `s_${id.replace(/[^a-zA-Z0-9]/g, '_')}`;
  const endNode = (status: string) => `end_${status}`;
  const ends = new Set<string>();

  const place = (step: Step) => {
    const lane = laneOf(step);
    const label = `${step.id}<br/><i>${escape(kindLabel(step))}</i>`;
    const shape = step.branch ? `{"${label}"}` : step.task || step.review || step.checklist ? `["${label}"]` : `("${label}")`;
    lanes.set(lane, [...(lanes.get(lane) ?? []), `${node(step.id)}${shape}`]);
  };

  const walk = (steps: Step[]) => {
    steps.forEach((step, index) => {
      place(step);
      const arrow = (to: string, label?: string) => {
        edges.push(label ? `${node(step.id)} -->|"${escape(label)}"| ${to}` : `${node(step.id)} --> ${to}`);
      };
      for (const jump of jumps(step, [])) {
        if (jump.target === '(end)') continue;
        arrow(node(jump.target), labelOfJump(step, jump.path));
      }
      for (const status of endsOf(step)) {
        ends.add(status.status);
        arrow(endNode(status.status), status.label);
      }
      const following = steps[index + 1];
      if (following && fallsThrough(step)) arrow(node(following.id));
      if (!following && fallsThrough(step)) {
        ends.add('completed');
        arrow(endNode('completed'));
      }
      for (const [branch, branchSteps] of Object.entries(step.parallel ?? {})) {
        edges.push(`${node(step.id)} -->|"${escape(branch)}"| ${node(branchSteps[0].id)}`);
        walk(branchSteps);
      }
      const body = step['for-each']?.steps;
      if (body) {
        edges.push(`${node(step.id)} -->|"${escape(`each of ${step['for-each']!.items}`)}"| ${node(body[0].id)}`);
        walk(body);
      }
    });
  };
  walk(def.steps);

  // Deadlines go on the arrows entering the steps they govern.
  const timed = new Map<string, string>();
  const collect = (steps: Step[]) => steps.forEach((s) => {
    const timing = timingLabel(s, def);
    if (timing) timed.set(node(s.id), timing);
    Object.values(s.parallel ?? {}).forEach(collect);
    if (s['for-each']) collect(s['for-each'].steps);
  });
  collect(def.steps);
  const labelled = edges.map((edge) => {
      const target = edge.split(' ').pop()!;
      const timing = timed.get(target);
      if (!timing) return edge;
      const match = /-->\|"(.*)"\|/.exec(edge);
      return match ? edge.replace(match[0], `-->|"${match[1]} · ${escape(timing)}"|`) : edge.replace('-->', `-->|"${escape(timing)}"|`);
    });

  const lines = ['flowchart TD', `  start((start)) --> ${node(def.steps[0].id)}`];
  for (const [lane, nodes] of lanes) {
    const title = lane === ENGINE_LANE ? 'engine (systems, timers, events)' : `${lane}: ${def.roles[lane] ?? ''}`;
    lines.push(`  subgraph lane_${lane.replace(/[^a-zA-Z0-9]/g, '_')}["${escape(title)}"]`, ...nodes.map((n) => `    ${n}`), '  end');
  }
  for (const status of ends) lines.push(`  ${endNode(status)}(((${status})))`);
  lines.push(...labelled.map((e) => `  ${e}`));
  return lines.join('\n') + '\n';
}

function laneOf(step: Step): string {
  // A role chosen by the data is drawn in the lane of the first role it can give.
  const ref = step.task?.role ?? step.review?.reviewer ?? step.checklist?.items[0].verifier;
  return (ref === undefined ? undefined : roleChoices(ref).roles[0]) ?? ENGINE_LANE;
}

function kindLabel(step: Step): string {
  if (step.call) return `call ${step.call}`;
  if (step.task) return step.task.title;
  if (step.review) return `review: ${step.review.title} (owner ${step.review.owner}, max ${step.review['max-rounds']} rounds)`;
  if (step.checklist) return `checklist: ${step.checklist.title}`;
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

function timingLabel(step: Step, def: Definition): string | undefined {
  const parts: string[] = [];
  const due = step.task?.due ?? step.review?.due ?? step.checklist?.due;
  if (due) parts.push(`due ${due}`);
  if (step.deadline) {
    const d = def.deadlines?.[step.deadline];
    parts.push(`by ${step.deadline}${d ? ` (${d.after ? `${d.after} after ` : ''}${d.from})` : ''}`);
  }
  if (step.escalate) parts.push(`escalate to ${step.escalate.to} ${step.escalate.after ? `after ${step.escalate.after}` : `${step.escalate.before} before`}`);
  return parts.length ? parts.join(', ') : undefined;
}

function labelOfJump(step: Step, path: (string | number)[]): string | undefined {
  if (path[0] === 'task' && path[1] === 'outcomes') return String(path[2]);
  if (path[0] === 'review') return String(path[1]);
  if (path[0] === 'branch') return step.branch![Number(path[1])].when ?? 'otherwise';
  if (path[0] === 'wait-for' || path[0] === 'poll') return 'timeout';
  if (path[0] === 'on-rejected' || path[0] === 'on-cancelled') return `child ${path[0].slice(3)}`;
  if (path[0] === 'max-visits') return 'too many visits';
  return undefined;
}

function endsOf(step: Step): { status: string; label?: string }[] {
  const out: { status: string; label?: string }[] = [];
  if (step.end) out.push({ status: step.end });
  for (const [name, outcome] of Object.entries(step.task?.outcomes ?? {})) if (outcome.end) out.push({ status: outcome.end, label: name });
  if (step.review) {
    for (const [label, target] of [['approved', step.review.approved], ['rejected', step.review.rejected ?? { end: 'rejected' }]] as const) {
      if (target?.end) out.push({ status: target.end, label });
    }
  }
  step.branch?.forEach((c) => c.end && out.push({ status: c.end, label: c.when ?? 'otherwise' }));
  if (step['wait-for']?.['on-timeout']?.end) out.push({ status: step['wait-for']['on-timeout'].end, label: 'timeout' });
  if (step.poll?.['on-timeout']?.end) out.push({ status: step.poll['on-timeout'].end, label: 'timeout' });
  if (step['max-visits']?.then.end) out.push({ status: step['max-visits'].then.end, label: `after ${step['max-visits'].count} visits` });
  return out;
}

function escape(text: string): string {
  return text.replace(/"/g, '#quot;').replace(/\n/g, ' ');
}
