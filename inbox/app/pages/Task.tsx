/**
 * One task: the instance's context, the instructions, the form generated from the task's JSON Schema by
 * react-jsonschema-form (file fields uploaded through the API), a comment box, and one button per outcome.
 * A comment is asked for when the chosen outcome requires one. The decision goes to the API as the
 * signed-in person; afterwards the instance's page shows where it went.
 */
import Form from '@rjsf/core';
import type { ErrorSchema, RegistryWidgetsType } from '@rjsf/utils';
import validator from '@rjsf/validator-ajv8';
import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { api, get, paths, post, Problem, taskAddress } from '../api';
import { fieldErrors, focusFirstError, uiSchemaFor } from '../parts/forms';
import { Failure, Layout, Loading } from '../parts/Layout';
import { relative, When } from '../parts/time';
import { uploadWidget } from '../parts/UploadWidget';
import type { Instance, OpenTask, Picture } from '../types';

export function TaskPage() {
  const { workflowId, taskId } = taskAddress(location.pathname);
  const [loaded, setLoaded] = useState<{ instance: Instance; picture: Picture }>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    Promise.all([get<Instance>(api.instance(workflowId)), get<Picture>(api.picture(workflowId))]).then(
      ([instance, picture]) => setLoaded({ instance, picture }),
      setError,
    );
  }, [workflowId]);

  if (error) return <Layout title="Task"><Failure error={error} /></Layout>;
  if (!loaded) return <Layout title="Task"><Loading /></Layout>;
  const { instance, picture } = loaded;
  const task = instance.openTasks.find((t) => t.id === taskId);
  if (!task) {
    const decided = instance.audit.find((a) => a.event === 'decision' && a.taskId === taskId);
    return (
      <Layout title="Task">
        <p role="status">
          {decided ? `This task was already decided (${decided.outcome}) by ${decided.actor ?? 'someone'}.` : `This task is not open in ${workflowId}.`}{' '}
          <a href={paths.instance(workflowId)}>See the instance</a>.
        </p>
      </Layout>
    );
  }
  return (
    <Layout title={task.title}>
      <Context instance={instance} task={task} />
      <Decide instance={instance} task={task} words={picture.steps[task.stepId]} />
    </Layout>
  );
}

function Context({ instance, task }: { instance: Instance; task: OpenTask }) {
  const overdue = task.breached || (task.dueAt !== undefined && Date.parse(task.dueAt) < Date.now());
  return (
    <section aria-labelledby="context-heading" className="card">
      <h2 id="context-heading">About this task</h2>
      <dl className="facts">
        <div><dt>Process</dt><dd>{instance.process} (version {instance.version})</dd></div>
        {instance.businessKey && <div><dt>Key</dt><dd>{instance.businessKey}</dd></div>}
        {instance.stage && <div><dt>Stage</dt><dd>{instance.stage}</dd></div>}
        <div><dt>For</dt><dd>{task.roles.join(', ')}</dd></div>
        <div><dt>Opened</dt><dd><When at={task.openedAt} /></dd></div>
        {task.dueAt && <div><dt>Due</dt><dd><When at={task.dueAt} /> ({relative(task.dueAt)}){overdue && <span className="badge overdue-badge">Overdue</span>}</dd></div>}
      </dl>
      {task.instructions && <p className="instructions">{task.instructions}</p>}
      <details>
        <summary>What the instance knows so far</summary>
        <dl className="variables">
          {Object.entries(instance.variables).map(([name, value]) => (
            <div key={name}><dt>{name}</dt><dd><pre>{typeof value === 'string' ? value : JSON.stringify(value, null, 2)}</pre></dd></div>
          ))}
        </dl>
      </details>
      <p><a href={paths.instance(instance.workflowId)}>See where the instance is and its history</a></p>
    </section>
  );
}

function Decide({ instance, task, words }: { instance: Instance; task: OpenTask; words?: Picture['steps'][string] }) {
  const [formData, setFormData] = useState<Record<string, unknown>>({});
  const [comment, setComment] = useState('');
  const [commentError, setCommentError] = useState<string>();
  const [problem, setProblem] = useState<Problem>();
  const [busy, setBusy] = useState(false);
  const commentBox = useRef<HTMLTextAreaElement>(null);
  const alertBox = useRef<HTMLDivElement>(null);
  const widgets: RegistryWidgetsType = useMemo(() => ({ upload: uploadWidget(api.upload(instance.workflowId, task.id)) }), [instance.workflowId, task.id]);
  const uiSchema = useMemo(() => ({ ...uiSchemaFor(task.form ?? {}, words?.items), 'ui:submitButtonOptions': { norender: true } }), [task.form, words]);
  const label = (outcome: string) => task.labels?.[outcome] ?? words?.outcomes[outcome] ?? outcome;
  const needsComment = task.commentRequired.length > 0;

  async function decide(outcome: string) {
    setProblem(undefined);
    if (task.commentRequired.includes(outcome) && !comment.trim()) {
      setCommentError(`"${label(outcome)}" needs a comment giving the reason.`);
      commentBox.current?.focus();
      return;
    }
    setCommentError(undefined);
    setBusy(true);
    try {
      await post(api.decide(instance.workflowId, task.id), { outcome, comment: comment.trim() || undefined, form: task.form ? formData : undefined });
      location.assign(`${paths.instance(instance.workflowId)}?decided=${encodeURIComponent(label(outcome))}`);
    } catch (error) {
      setBusy(false);
      setProblem(error instanceof Problem ? error : new Problem(0, (error as Error).message));
      setTimeout(() => alertBox.current?.focus());
    }
  }

  const submitted = (event: FormEvent) => {
    event.preventDefault();
    const submitter = (event.nativeEvent as SubmitEvent).submitter as HTMLButtonElement | null;
    if (submitter?.value) void decide(submitter.value);
  };

  const buttons = (
    <>
      <div className="field">
        <label htmlFor="decision-comment">Comment{needsComment ? ` (required for ${task.commentRequired.map(label).join(', ')})` : ' (optional)'}</label>
        <textarea
          id="decision-comment"
          ref={commentBox}
          value={comment}
          rows={3}
          onChange={(event) => setComment(event.target.value)}
          aria-invalid={commentError ? true : undefined}
          aria-describedby={commentError ? 'decision-comment-error' : undefined}
        />
        {commentError && <p id="decision-comment-error" className="error-text">{commentError}</p>}
      </div>
      {problem && <div className="alert" role="alert" tabIndex={-1} ref={alertBox}>{problem.detail}</div>}
      <div className="outcomes" role="group" aria-label="Decision">
        {task.outcomes.map((outcome) => (
          <button key={outcome} type="submit" name="outcome" value={outcome} disabled={busy} className={task.commentRequired.includes(outcome) ? 'secondary' : undefined}>
            {label(outcome)}
          </button>
        ))}
      </div>
    </>
  );

  return (
    <section aria-labelledby="decide-heading" className="card">
      <h2 id="decide-heading">Your decision</h2>
      {task.form ? (
        <Form
          schema={task.form}
          uiSchema={uiSchema}
          validator={validator}
          widgets={widgets}
          formData={formData}
          onChange={(event) => setFormData(event.formData ?? {})}
          onSubmit={(_data, event) => submitted(event)}
          extraErrors={problem ? (fieldErrors(problem.errors, 'body.form') as ErrorSchema) : undefined}
          onError={focusFirstError}
          showErrorList="top"
          noHtml5Validate
        >
          {buttons}
        </Form>
      ) : (
        <form onSubmit={submitted} noValidate>{buttons}</form>
      )}
    </section>
  );
}
