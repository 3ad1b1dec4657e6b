/** The HTML every inbox page is served as: a document the React application fills in. */
import { ASSETS } from './assets';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A page: `page` names the view `inbox/app/main.tsx` renders; `body` is shown before (or without) scripts. */
export function document(title: string, page: string, body = '<p>Loading…</p>'): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Partner operations</title>
<link rel="stylesheet" href="${ASSETS}/app.css">
</head>
<body data-page="${escapeHtml(page)}">
<a class="skip-link" href="#main">Skip to content</a>
<div id="root">${body}</div>
<script src="${ASSETS}/app.js" defer></script>
</body>
</html>
`;
}
