/** The frame of every page: the site header with its navigation, who is signed in, and the page's heading. */
import { useEffect, useState, type ReactNode } from 'react';
import { api, get, paths } from '../api';
import type { Me } from '../types';

export function Layout({ title, children }: { title: string; children: ReactNode }) {
  const [me, setMe] = useState<Me>();
  useEffect(() => {
    document.title = `${title} · Partner operations`;
  }, [title]);
  useEffect(() => {
    get<Me>(api.me).then(setMe, () => undefined);
  }, []);
  return (
    <>
      <header className="site">
        <nav aria-label="Main">
          <a href={paths.home}>My tasks</a>
          <a href={paths.processes}>Start a process</a>
        </nav>
        <div className="who">
          {me && <span>Signed in as <strong>{me.name}</strong> ({me.roles.join(', ') || 'no role'})</span>}
          <form method="post" action="/inbox/sign-out">
            <button type="submit" className="link">Sign out</button>
          </form>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <h1>{title}</h1>
        {children}
      </main>
    </>
  );
}

/** A failure to show in place of the page's content, announced to screen readers. */
export function Failure({ error }: { error: unknown }) {
  return <div className="alert" role="alert">{error instanceof Error ? error.message : String(error)}</div>;
}

export function Loading() {
  return <p role="status">Loading…</p>;
}
