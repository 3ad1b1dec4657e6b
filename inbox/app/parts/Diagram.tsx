/**
 * Where an instance is, drawn: its definition's Mermaid flowchart rendered in the page by Mermaid's own
 * browser build (loaded on demand), the current step highlighted, the steps done marked. The figure's
 * caption says the same in words for those who cannot see it.
 */
import { useEffect, useRef, useState } from 'react';

interface MermaidApi {
  initialize(config: Record<string, unknown>): void;
  render(id: string, text: string): Promise<{ svg: string }>;
}

let loading: Promise<MermaidApi> | undefined;

function loadMermaid(): Promise<MermaidApi> {
  loading ??= new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = '/inbox/assets/mermaid.js';
    script.onload = () => {
      const mermaid = (window as unknown as { mermaid: MermaidApi }).mermaid;
      // strict: labels are sanitised and click handlers disabled, since definitions are text from people.
      mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', theme: 'neutral' });
      resolve(mermaid);
    };
    script.onerror = () => reject(new Error('the diagram could not be loaded'));
    document.head.append(script);
  });
  return loading;
}

export function Diagram({ chart, caption }: { chart: string; caption: string }) {
  const target = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<string>();
  useEffect(() => {
    let live = true;
    loadMermaid()
      .then((mermaid) => mermaid.render('instance-diagram-svg', chart))
      .then(({ svg }) => {
        if (live && target.current) target.current.innerHTML = svg;
      })
      .catch((err: Error) => live && setError(err.message));
    return () => {
      live = false;
    };
  }, [chart]);
  return (
    <figure className="diagram">
      <div ref={target} className="diagram-canvas" role="img" aria-label={caption} data-testid="diagram" />
      <figcaption>{error ? `The diagram could not be drawn: ${error}` : caption}</figcaption>
    </figure>
  );
}
