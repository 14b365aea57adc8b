import type { Note } from '../db/notes.js';
import { html } from './html.js';
import { layout, type PageContext } from './layout.js';

export function loginPage(context: PageContext, error?: string): string {
  return layout(
    'Sign in',
    context,
    html`
${error === undefined ? '' : html`<p class="error" role="alert">${error}</p>`}
<form method="post" action="/login" id="login-form">
  <input type="hidden" name="_csrf" value="${context.csrfToken ?? ''}">
  <label>Email <input name="email" type="email" autocomplete="username" required></label>
  <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
  <button type="submit">Log in</button>
</form>
<h2>New here?</h2>
<form method="post" action="/register" id="register-form">
  <input type="hidden" name="_csrf" value="${context.csrfToken ?? ''}">
  <label>Email <input name="email" type="email" autocomplete="username" required></label>
  <label>Password (at least 12 characters) <input name="password" type="password" autocomplete="new-password" minlength="12" required></label>
  <button type="submit">Create account</button>
</form>`,
  );
}

export function notesPage(context: PageContext, notes: readonly Note[]): string {
  return layout(
    'Your notes',
    context,
    html`
<form method="post" action="/notes" id="note-form">
  <input type="hidden" name="_csrf" value="${context.csrfToken ?? ''}">
  <label>Title <input name="title" required maxlength="200"></label>
  <label>Text <textarea name="body" rows="3" maxlength="10000"></textarea></label>
  <button type="submit">Add note</button>
</form>
<p id="count" data-count="${notes.length}">${notes.length} note${notes.length === 1 ? '' : 's'}</p>
${notes.map((note) => html`<article class="note"><h3>${note.title}</h3><p>${note.body}</p></article>`)}
<script nonce="${context.nonce}">
  // A nonce'd script runs; an injected one without the nonce is blocked by CSP.
  document.getElementById('count').title = 'Loaded at ' + new Date().toLocaleTimeString();
</script>`,
  );
}

export function adminPage(context: PageContext, users: readonly { email: string; role: string; createdAt: string }[]): string {
  return layout(
    'Administration',
    context,
    html`
<table>
  <thead><tr><th>Email</th><th>Role</th><th>Since</th></tr></thead>
  <tbody>${users.map((user) => html`<tr><td>${user.email}</td><td>${user.role}</td><td>${user.createdAt}</td></tr>`)}</tbody>
</table>`,
  );
}
