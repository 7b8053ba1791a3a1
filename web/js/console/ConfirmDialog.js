import { setText } from '../dom.js';

/**
 * Asks the supervisor to confirm an action in the page's `<dialog class="console-confirm">` (a real dialog, not
 * `window.confirm`, so it can ask for a queue and a pause reason).
 * @param {string} question
 * @param {{queues?: string[], allQueues?: boolean, reason?: boolean}} options `queues`: ask which queue (with
 *   "every queue" first when `allQueues`); `reason`: ask for a pause reason
 * @returns {Promise<{queue: string|null, reason: string}|null>} `null` when cancelled
 */
export function confirmAction(question, { queues = null, allQueues = false, reason = false } = {}) {
  const dialog = document.querySelector('.console-confirm');
  const form = dialog.querySelector('form');
  setText(dialog.querySelector('.console-confirm__question'), question);
  const queueLabel = dialog.querySelector('.console-confirm__queue');
  const queueSelect = queueLabel.querySelector('select');
  const reasonLabel = dialog.querySelector('.console-confirm__reason');
  const reasonInput = reasonLabel.querySelector('input');
  queueLabel.hidden = !queues;
  if (queues) {
    const options = (allQueues ? [new Option('every queue', '')] : []).concat(queues.map((q) => new Option(q, q)));
    queueSelect.replaceChildren(...options);
  }
  reasonLabel.hidden = !reason;
  reasonInput.value = '';
  return new Promise((resolve) => {
    const done = (answer) => {
      form.removeEventListener('submit', onSubmit);
      dialog.removeEventListener('close', onClose);
      if (dialog.open) dialog.close();
      resolve(answer);
    };
    const onSubmit = (event) => {
      event.preventDefault();
      done(event.submitter?.value === 'cancel' ? null : { queue: queues ? queueSelect.value || null : null, reason: reasonInput.value.trim() });
    };
    const onClose = () => done(null);
    form.addEventListener('submit', onSubmit);
    dialog.addEventListener('close', onClose);
    dialog.showModal();
  });
}
