// The envsync console's only script. Every page works without it; it keeps two things current:
// a run's page while the run goes, and the link to the bot's pull request once it is opened.
'use strict';

const POLL_MS = 1500;

/** A run's state, fetched again and swapped in until the run has finished. */
function followRun() {
  const state = document.getElementById('run-state');
  if (!state || state.dataset.finished === 'yes') return;
  const url = new URL(window.location.href);
  url.searchParams.set('part', 'state');
  setTimeout(async () => {
    try {
      const answer = await fetch(url, { credentials: 'same-origin', headers: { accept: 'text/html' } });
      if (answer.ok) {
        const holder = document.createElement('div');
        holder.innerHTML = await answer.text();
        const fresh = holder.querySelector('#run-state');
        // No state in the answer: the session has ended (the sign-in page came back). Reloading signs in again.
        if (!fresh) return;
        state.replaceWith(fresh);
      }
    } catch {
      // The server restarting, the network gone for a moment: the next try may answer.
    }
    followRun();
  }, POLL_MS);
}

/** The bot's pull request, named and linked once the bot has opened it. */
function findBotPullRequest(link, tries) {
  setTimeout(async () => {
    try {
      const url = new URL(link.getAttribute('href'), window.location.href);
      url.searchParams.set('format', 'json');
      const answer = await fetch(url, { credentials: 'same-origin', headers: { accept: 'application/json' } });
      const found = answer.ok ? await answer.json() : null;
      if (found && found.state === 'open') {
        link.href = found.url;
        link.textContent = `bot pull request #${found.number}`;
        return;
      }
      // Closed without merging, or delivered as commits: the link's own page says what to do.
      if (found && (found.state === 'blocked' || (found.state === 'none' && found.delivery === 'commit'))) {
        link.textContent = found.state === 'blocked' ? `bot pull request #${found.number} (closed: delivery stopped)` : 'committed to Git directly';
        return;
      }
    } catch {
      // Asked again below.
    }
    if (tries > 1) findBotPullRequest(link, tries - 1);
  }, tries === 40 ? 0 : POLL_MS);
}

document.addEventListener('DOMContentLoaded', () => {
  // A form sent back with problems: keyboard and screen reader users start at their summary.
  document.querySelector('.error-summary')?.focus();
  followRun();
  for (const link of document.querySelectorAll('a[data-bot-pull-request]')) findBotPullRequest(link, 40);
});
