/**
 * Passkeys (services/accounts/passkeys.ts): a `<form data-passkey="register|authenticate" data-options="…">`
 * holds the server's WebAuthn options (with a challenge kept on the session). On submit the browser
 * creates or uses a passkey through `@simplewebauthn/browser`, puts its answer (JSON) in the form's
 * `response` field and posts the form as usual, so the server answers with a page as for any form.
 * Without WebAuthn (or without JavaScript) the passkey part stays hidden and codes are used.
 */
import { browserSupportsWebAuthn, startAuthentication, startRegistration } from '@simplewebauthn/browser';

function explain(e: unknown, registering: boolean): string {
  const name = e instanceof Error ? e.name : '';
  if (name === 'NotAllowedError')
    return registering
      ? 'The passkey was not created (it was cancelled or timed out). Try again.'
      : 'No passkey was used (it was cancelled or timed out). Try again, or enter a code.';
  if (name === 'InvalidStateError') return 'This device already holds a passkey for your account.';
  return registering ? 'The passkey could not be created on this device.' : 'The passkey could not be used.';
}

if (browserSupportsWebAuthn()) {
  document.querySelectorAll<HTMLFormElement>('form[data-passkey]').forEach((form) => {
    const block = form.closest<HTMLElement>('[data-passkey-block]');
    if (block) block.hidden = false;
    const registering = form.dataset['passkey'] === 'register';
    const error = form.querySelector<HTMLElement>('[data-passkey-error]');
    const answer = form.querySelector<HTMLInputElement>('input[name="response"]');
    let busy = false;
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      if (busy || !answer) return;
      busy = true;
      const optionsJSON: unknown = JSON.parse(form.dataset['options'] ?? '{}');
      const ceremony = registering
        ? startRegistration({ optionsJSON: optionsJSON as Parameters<typeof startRegistration>[0]['optionsJSON'] })
        : startAuthentication({
            optionsJSON: optionsJSON as Parameters<typeof startAuthentication>[0]['optionsJSON'],
          });
      ceremony
        .then((result) => {
          answer.value = JSON.stringify(result);
          form.submit();
        })
        .catch((e: unknown) => {
          busy = false;
          if (error) {
            error.textContent = explain(e, registering);
            error.hidden = false;
          }
        });
    });
  });
}
