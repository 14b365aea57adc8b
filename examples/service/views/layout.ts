import { html, type TrustedHtml } from './html.js';

export interface PageContext {
  /** The request's CSP nonce: the only scripts and styles that run carry it. */
  readonly nonce: string;
  readonly csrfToken: string | undefined;
  readonly user: { email: string; role: string } | undefined;
}

const STYLE = `
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 42rem; margin: 2rem auto; padding: 0 1rem; color: #1b1f24; }
  header { display: flex; justify-content: space-between; align-items: center; border-bottom: 1px solid #d0d7de; margin-bottom: 1.5rem; }
  form { display: grid; gap: .5rem; margin: 1rem 0; } input, textarea, button { font: inherit; padding: .4rem; }
  .error { color: #b42318; } .note { border: 1px solid #d0d7de; border-radius: 6px; padding: .5rem 1rem; margin: .5rem 0; }
  .inline { display: inline; margin: 0; }`;

export function layout(title: string, context: PageContext, body: TrustedHtml): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Rampart reference service</title>
<style nonce="${context.nonce}">${STYLE}</style>
</head>
<body>
<header>
  <h1>${title}</h1>
  ${context.user === undefined ? '' : html`<form class="inline" method="post" action="/logout"><input type="hidden" name="_csrf" value="${context.csrfToken ?? ''}"><span>${context.user.email}</span> <button type="submit" id="logout">Log out</button></form>`}
</header>
<main>${body}</main>
</body>
</html>`.value;
}
