/**
 * One instance: where it is (its stages in order and its diagram with the current step highlighted), its
 * open tasks, deadlines and audit trail.
 */
import { useEffect, useState } from 'react';
import { api, get, instanceAddress, paths } from '../api';
import { Audit } from '../parts/Audit';
import { Diagram } from '../parts/Diagram';
import { Failure, Layout, Loading } from '../parts/Layout';
import { relative, When } from '../parts/time';
import type { Instance, Picture } from '../types';

const REFRESH_MS = 3000;

export function InstancePage() {
  const workflowId = instanceAddress(location.pathname);
  const flash = new URLSearchParams(location.search);
  const [loaded, setLoaded] = useState<{ instance: Instance; picture: Picture }>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    // A running instance moves on by itself (steps run, others decide): read it again every few seconds.
    const read = () =>
      Promise.all([get<Instance>(api.instance(workflowId)), get<Picture>(api.picture(workflowId))]).then(([instance, picture]) => {
        setLoaded({ instance, picture });
        if (instance.status === 'running') timer = setTimeout(read, REFRESH_MS);
      }, setError);
    void read();
    return () => clearTimeout(timer);
  }, [workflowId]);

  const title = loaded?.instance.businessKey ? `${loaded.instance.process}: ${loaded.instance.businessKey}` : workflowId;
  if (error) return <Layout title={title}><Failure error={error} /></Layout>;
  if (!loaded) return <Layout title={title}><Loading /></Layout>;
  const { instance, picture } = loaded;
  const where = instance.status === 'running'
    ? `Now at: ${(instance.openTasks.length ? instance.openTasks.map((t) => t.title) : picture.current.map((id) => picture.steps[id]?.title ?? id)).join(', ') || 'starting'}`
    : `Ended: ${instance.outcome}${instance.reason ? ` (${instance.reason})` : ''}`;
  return (
    <Layout title={title}>
      {flash.get('decided') && <p className="notice" role="status">Your decision “{flash.get('decided')}” was recorded.</p>}
      {flash.get('started') && <p className="notice" role="status">{flash.get('started') === 'existing' ? 'An instance with this key was already running: here it is.' : 'Started.'}</p>}
      <dl className="facts">
        <div><dt>Status</dt><dd>{instance.status === 'running' ? 'running' : instance.outcome}</dd></div>
        {instance.stage && <div><dt>Stage</dt><dd data-testid="stage">{instance.stage}</dd></div>}
        <div><dt>Version</dt><dd>{instance.version}</dd></div>
      </dl>

      <section aria-labelledby="where-heading">
        <h2 id="where-heading">Where it is</h2>
        <p data-testid="where" aria-live="polite">{where}</p>
        {picture.stages.length > 0 && (
          <ol className="stages" aria-label="Stages">
            {picture.stages.map((stage) => (
              <li key={stage.name} className={`stage ${stage.state}`} aria-current={stage.state === 'current' ? 'step' : undefined}>
                <span className="visually-hidden">{stage.state === 'done' ? 'done: ' : stage.state === 'current' ? 'current: ' : 'to come: '}</span>
                {stage.name}
              </li>
            ))}
          </ol>
        )}
        <Diagram chart={picture.chart} caption={`${where}. Highlighted: the current step; green: steps done.${picture.exactVersion ? '' : ' Drawn from the version deployed now.'}`} />
      </section>

      {instance.openTasks.length > 0 && (
        <section aria-labelledby="open-heading">
          <h2 id="open-heading">Open tasks</h2>
          <ul>
            {instance.openTasks.map((task) => (
              <li key={task.id}>
                <a href={paths.task(instance.workflowId, task.id)}>{task.title}</a> for {task.roles.join(', ')}
                {task.dueAt && <>, due <When at={task.dueAt} /> ({relative(task.dueAt)})</>}
                {task.breached && <span className="badge overdue-badge">Overdue</span>}
              </li>
            ))}
          </ul>
        </section>
      )}

      {instance.deadlines.length > 0 && (
        <section aria-labelledby="deadlines-heading">
          <h2 id="deadlines-heading">Deadlines</h2>
          <ul>
            {instance.deadlines.map((d) => (
              <li key={d.name}>{d.name}: <When at={d.at} /> ({relative(d.at)}){d.breached && <span className="badge overdue-badge">Missed</span>}</li>
            ))}
          </ul>
        </section>
      )}

      <section aria-labelledby="audit-heading">
        <h2 id="audit-heading">History</h2>
        <Audit entries={instance.audit} />
      </section>
    </Layout>
  );
}
