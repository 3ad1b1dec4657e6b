/** The audit trail: who did what, and when, oldest first. */
import type { AuditEntry } from '../types';
import { When } from './time';

const WORDS: Record<string, string> = {
  started: 'Started',
  stage: 'Entered stage',
  skipped: 'Skipped',
  'task-opened': 'Task opened',
  decision: 'Decided',
  reminder: 'Reminder sent',
  escalated: 'Escalated',
  'deadline-breached': 'Deadline missed',
  event: 'Event received',
  failed: 'Failed',
  ended: 'Ended',
};

export function Audit({ entries }: { entries: AuditEntry[] }) {
  if (!entries.length) return <p>Nothing recorded yet.</p>;
  return (
    <div className="table-wrap">
      <table className="stacked">
        <caption className="visually-hidden">Audit trail, oldest first</caption>
        <thead>
          <tr><th scope="col">When</th><th scope="col">What</th><th scope="col">Step</th><th scope="col">Who</th><th scope="col">Details</th></tr>
        </thead>
        <tbody>
          {entries.map((entry, index) => (
            <tr key={index}>
              <td data-label="When"><When at={entry.at} /></td>
              <td data-label="What">{WORDS[entry.event] ?? entry.event}{entry.outcome ? `: ${entry.outcome}` : ''}</td>
              <td data-label="Step">{entry.stepId ?? ''}</td>
              <td data-label="Who">{entry.actor ?? ''}</td>
              <td data-label="Details">{[entry.comment, entry.detail].filter(Boolean).join(' · ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
