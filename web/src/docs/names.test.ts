import { afterEach, describe, expect, it } from 'vitest';
import { screen, waitFor } from '@testing-library/dom';
import { nameDialogs } from './dialogs';

// Swagger UI's Authorize dialog, as version 5 draws it.
const swaggerDialog = `
  <div class="modal-ux"><div class="modal-dialog-ux"><div class="modal-ux-inner">
    <div class="modal-ux-header"><h3>Available authorizations</h3>
      <button type="button" class="close-modal"><svg aria-hidden="true" focusable="false"></svg></button>
    </div>
    <div class="modal-ux-content"><label for="u">username:</label><input id="u" type="text"></div>
  </div></div></div>`;

describe('the dialogs of /docs', () => {
  let observer: MutationObserver | undefined;
  afterEach(() => {
    observer?.disconnect();
    document.body.innerHTML = '';
  });

  it('names a dialog that opens after the page loaded by its heading, and its close button "Close"', async () => {
    const root = document.createElement('div');
    document.body.append(root);
    observer = nameDialogs(root);
    expect(screen.queryByRole('dialog')).toBeNull();

    root.innerHTML = swaggerDialog;
    const dialog = await waitFor(() => screen.getByRole('dialog', { name: 'Available authorizations' }));
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    expect(screen.getByRole('button', { name: 'Close' })).toBeTruthy();
  });

  it('names two dialogs apart', async () => {
    const root = document.createElement('div');
    root.innerHTML = swaggerDialog + swaggerDialog.replace('Available authorizations', 'Second');
    document.body.append(root);
    observer = nameDialogs(root);
    expect(screen.getByRole('dialog', { name: 'Available authorizations' })).toBeTruthy();
    expect(screen.getByRole('dialog', { name: 'Second' })).toBeTruthy();
    expect(screen.getAllByRole('button', { name: 'Close' })).toHaveLength(2);
  });
});
