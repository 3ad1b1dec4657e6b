/** My open tasks, soonest deadline first (as the API sorts them), overdue ones marked in words and colour. */
import { useEffect, useState } from 'react';
import { api, get, paths } from '../api';
import { Failure, Layout, Loading } from '../parts/Layout';
import { relative, When } from '../parts/time';
import type { MyTask } from '../types';

export function TasksPage() {
  const [tasks, setTasks] = useState<MyTask[]>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    get<{ tasks: MyTask[] }>(api.tasks).then((body) => setTasks(body.tasks), setError);
  }, []);
  return (
    <Layout title="My tasks">
      {error ? <Failure error={error} /> : !tasks ? <Loading /> : tasks.length === 0 ? (
        <p>No open tasks for your roles. <a href={paths.processes}>Start a process</a>.</p>
      ) : (
        <>
          <p>{tasks.length} open {tasks.length === 1 ? 'task' : 'tasks'}, soonest due first{tasks.some((t) => t.overdue) ? `; ${tasks.filter((t) => t.overdue).length} overdue` : ''}.</p>
          <ol className="tasks" aria-label="Open tasks">
            {tasks.map(({ workflowId, process, businessKey, stage, overdue, task }) => (
              <li key={`${workflowId} ${task.id}`} className={overdue ? 'task overdue' : 'task'}>
                <a className="task-title" href={paths.task(workflowId, task.id)}>{task.title}</a>
                {overdue && <span className="badge overdue-badge">Overdue</span>}
                <dl className="facts">
                  <div><dt>Process</dt><dd>{process}</dd></div>
                  {businessKey && <div><dt>Key</dt><dd>{businessKey}</dd></div>}
                  {stage && <div><dt>Stage</dt><dd>{stage}</dd></div>}
                  <div><dt>Due</dt><dd>{task.dueAt ? <><When at={task.dueAt} /> ({relative(task.dueAt)})</> : 'no due date'}</dd></div>
                  <div><dt>For</dt><dd>{task.roles.join(', ')}</dd></div>
                </dl>
              </li>
            ))}
          </ol>
        </>
      )}
    </Layout>
  );
}
