import { afterEach, describe, expect, it } from 'vitest';
import { screen, waitFor } from '@testing-library/dom';
import { completeNames } from './names';

// Swagger UI's Authorize dialog and servers list, as version 5 draws them.
const swaggerDialog = `
  <div class="modal-ux"><div class="modal-dialog-ux"><div class="modal-ux-inner">
    <div class="modal-ux-header"><h3>Available authorizations</h3>
      <button type="button" class="close-modal"><svg aria-hidden="true" focusable="false"></svg></button>
    </div>
    <div class="modal-ux-content"><label for="u">username:</label><input id="u" type="text"></div>
  </div></div></div>`;
const swaggerServers = `
  <div class="schemes-server-container"><div><span class="servers-title">Servers</span>
    <div class="servers"><label for="servers"><select id="servers"><option value="/">/</option></select></label></div>
  </div></div>`;

describe('the names /docs adds to Swagger UI', () => {
  let observer: MutationObserver | undefined;
  afterEach(() => {
    observer?.disconnect();
    document.body.innerHTML = '';
  });

  function page(html = '') {
    const root = document.createElement('div');
    root.innerHTML = html;
    document.body.append(root);
    observer = completeNames(root);
    return root;
  }

  it('a dialog that opens later is named by its heading, its icon button "Close"', async () => {
    const root = page();
    expect(screen.queryByRole('dialog')).toBeNull();

    root.innerHTML = swaggerDialog;
    const dialog = await waitFor(() => screen.getByRole('dialog', { name: 'Available authorizations' }));
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    expect(screen.getByRole('button', { name: 'Close' })).toBeTruthy();
  });

  it('two dialogs keep their own names', () => {
    page(swaggerDialog + swaggerDialog.replace('Available authorizations', 'Second'));
    expect(screen.getByRole('dialog', { name: 'Available authorizations' })).toBeTruthy();
    expect(screen.getByRole('dialog', { name: 'Second' })).toBeTruthy();
    expect(screen.getAllByRole('button', { name: 'Close' })).toHaveLength(2);
  });

  it('the servers list is named by the title beside it', () => {
    page(swaggerServers);
    expect(screen.getByRole('combobox', { name: 'Servers' })).toBeTruthy();
  });
});
