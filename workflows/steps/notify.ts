/** `notify:` sends the definition's own e-mail to a role's holders or an address, and records who got it. */
import type { NotifyInput } from '../../activities/notify';
import { render } from '../../dsl/expressions';
import type { Step } from '../../dsl/model';
import { now } from '../clock';
import { notifiedDetail, notifier } from '../notifications';
import type { Flow, StepContext } from './context';
import { isRecovery, recoverable, recoveryFlow } from './incident';

export async function notify(ctx: StepContext, step: Step, id: string): Promise<Flow> {
  const spec = step.notify!;
  const scope = ctx.scope();
  const message: NotifyInput = {
    ...(spec.role !== undefined ? { roles: [spec.role] } : { address: await render(spec.address!, scope) }),
    subject: await render(spec.subject, scope),
    text: await render(spec.text, scope),
  };
  const result = await recoverable(ctx, step, id, () => notifier(id).notify(message));
  if (isRecovery(result)) return recoveryFlow(result);
  ctx.audit.push({ at: now(), event: 'notified', stepId: step.id, detail: notifiedDetail('message', message.roles ?? [], result) });
  return {};
}
