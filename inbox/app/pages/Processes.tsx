/** The processes a person can start, each linking to its start page. */
import { useEffect, useState } from 'react';
import { api, get, paths } from '../api';
import { Failure, Layout, Loading } from '../parts/Layout';
import type { ProcessSummary } from '../types';

export function ProcessesPage() {
  const [processes, setProcesses] = useState<ProcessSummary[]>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    get<{ processes: ProcessSummary[] }>(api.processes).then((body) => setProcesses(body.processes), setError);
  }, []);
  return (
    <Layout title="Start a process">
      {error ? <Failure error={error} /> : !processes ? <Loading /> : (
        <ul className="processes">
          {processes.map((p) => (
            <li key={p.name}><a href={paths.start(p.name)}>{p.title}</a> <span className="hint">{p.name}, version {p.version}</span></li>
          ))}
        </ul>
      )}
    </Layout>
  );
}
