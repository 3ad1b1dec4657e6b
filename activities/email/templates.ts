/**
 * The e-mail templates processes send by name: the IOD activation e-mail (seed 000/001, "Activation email to
 * customer from IOD (Draft)") and the reseller onboarding packet (seed 004). `{{variable}}` placeholders
 * are filled from the step's variables; values are HTML-escaped in the HTML part. A missing variable is a
 * definition error, so it fails without retry and names the variable.
 */
import { ConnectorError } from '../shared/errors';
import { resolveLabel, type Labelled } from '../shared/labels';

export interface EmailTemplate extends Labelled {
  subject: string;
  text: string;
  html: string;
}

export const TEMPLATES: readonly EmailTemplate[] = [
  {
    id: 'activation-email',
    label: 'Activation email to customer from IOD (Draft)',
    subject: 'Your {{serviceName}} service for {{companyName}} is active',
    text: [
      'Dear {{customerName}},',
      '',
      'Your {{serviceName}} service for {{companyName}} has been provisioned and is now active.',
      '',
      'Sign in at {{loginUrl}} with the administrator login {{loginEmail}}. On first sign-in you will be asked to set a password.',
      '',
      'If anything is not as expected, reply to this e-mail.',
      '',
      'Best regards,',
      'IOD team',
    ].join('\n'),
    html: [
      '<p>Dear {{customerName}},</p>',
      '<p>Your {{serviceName}} service for {{companyName}} has been provisioned and is now active.</p>',
      '<p>Sign in at <a href="{{loginUrl}}">{{loginUrl}}</a> with the administrator login <b>{{loginEmail}}</b>. On first sign-in you will be asked to set a password.</p>',
      '<p>If anything is not as expected, reply to this e-mail.</p>',
      '<p>Best regards,<br>IOD team</p>',
    ].join('\n'),
  },
  {
    id: 'reseller-onboarding-packet',
    label: 'Reseller onboarding packet',
    subject: 'Welcome aboard, {{resellerName}}: your reseller information packet',
    text: [
      'Hello {{contactName}},',
      '',
      'Welcome to the reseller programme. Your reseller ID is {{resellerId}}.',
      '',
      'Register deals with this form embed code on your site:',
      '{{formEmbedCode}}',
      '',
      'Welcome material and collateral: {{welcomeMaterialUrl}}',
      '',
      'The Partnerships team',
    ].join('\n'),
    html: [
      '<p>Hello {{contactName}},</p>',
      '<p>Welcome to the reseller programme. Your reseller ID is <b>{{resellerId}}</b>.</p>',
      '<p>Register deals with this form embed code on your site:</p>',
      '<pre>{{formEmbedCode}}</pre>',
      '<p>Welcome material and collateral: <a href="{{welcomeMaterialUrl}}">{{welcomeMaterialUrl}}</a></p>',
      '<p>The Partnerships team</p>',
    ].join('\n'),
  },
];

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

const escapeHtml = (value: string) =>
  value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

/** The variables a template needs, in order of first use. */
export function variablesOf(template: EmailTemplate): string[] {
  const names = [template.subject, template.text, template.html].flatMap((part) => [...part.matchAll(PLACEHOLDER)].map((m) => m[1]));
  return [...new Set(names)];
}

/** Finds a template by title or id and fills it in. */
export function renderTemplate(action: string, name: string, variables: Record<string, string | number>): { subject: string; text: string; html: string } {
  const template = resolveLabel({ system: 'email', action, kind: 'e-mail template', field: 'template.name' }, name, TEMPLATES);
  const missing = variablesOf(template).filter((v) => variables[v] === undefined);
  if (missing.length > 0) {
    throw new ConnectorError('email', action, `template "${template.label}" needs ${missing.map((v) => `"${v}"`).join(', ')}`, {
      field: `template.variables.${missing[0]}`,
      retryable: false,
    });
  }
  const fill = (part: string, escape: (s: string) => string) => part.replace(PLACEHOLDER, (_m, v: string) => escape(String(variables[v])));
  return { subject: fill(template.subject, (s) => s), text: fill(template.text, (s) => s), html: fill(template.html, escapeHtml) };
}
