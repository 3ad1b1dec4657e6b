/**
 * Starting one process: a form generated from its input schema by react-jsonschema-form. Starting twice
 * with the same business key leads to the instance already running (the API decides, atomically).
 */
import Form from '@rjsf/core';
import type { ErrorSchema } from '@rjsf/utils';
import validator from '@rjsf/validator-ajv8';
import { useEffect, useRef, useState } from 'react';
import { api, get, paths, post, Problem } from '../api';
import { fieldErrors, focusFirstError } from '../parts/forms';
import { Failure, Layout, Loading } from '../parts/Layout';
import type { ProcessSummary } from '../types';

export function StartPage() {
  const name = decodeURIComponent(location.pathname.replace(/^\/inbox\/start\//, ''));
  const [process, setProcess] = useState<ProcessSummary>();
  const [error, setError] = useState<unknown>();
  const [formData, setFormData] = useState<Record<string, unknown>>({});
  const [problem, setProblem] = useState<Problem>();
  const [busy, setBusy] = useState(false);
  const alertBox = useRef<HTMLDivElement>(null);
  useEffect(() => {
    get<{ processes: ProcessSummary[] }>(api.processes).then((body) => {
      const found = body.processes.find((p) => p.name === name);
      if (found) setProcess(found);
      else setError(new Error(`There is no process '${name}'.`));
    }, setError);
  }, [name]);

  async function start(input: Record<string, unknown>) {
    setProblem(undefined);
    setBusy(true);
    try {
      const started = await post<{ workflowId: string; created: boolean }>(api.start(name), { input });
      location.assign(`${paths.instance(started.workflowId)}?started=${started.created ? 'new' : 'existing'}`);
    } catch (err) {
      setBusy(false);
      setProblem(err instanceof Problem ? err : new Problem(0, (err as Error).message));
      setTimeout(() => alertBox.current?.focus());
    }
  }

  const title = process ? `Start: ${process.title}` : 'Start a process';
  if (error) return <Layout title={title}><Failure error={error} /></Layout>;
  if (!process) return <Layout title={title}><Loading /></Layout>;
  return (
    <Layout title={title}>
      <p className="hint">{process.name}, version {process.version}. <a href={paths.processes}>Other processes</a></p>
      <section className="card" aria-label="Input">
        <Form
          schema={process.input ?? { type: 'object' }}
          validator={validator}
          formData={formData}
          onChange={(event) => setFormData(event.formData ?? {})}
          onSubmit={(event) => void start(event.formData ?? {})}
          extraErrors={problem ? (fieldErrors(problem.errors, 'body.input') as ErrorSchema) : undefined}
          onError={focusFirstError}
          showErrorList="top"
          noHtml5Validate
          disabled={busy}
        >
          {problem && <div className="alert" role="alert" tabIndex={-1} ref={alertBox}>{problem.detail}</div>}
          <div className="outcomes"><button type="submit" disabled={busy}>Start</button></div>
        </Form>
      </section>
    </Layout>
  );
}
