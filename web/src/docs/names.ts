// Swagger UI 5 draws its dialogs (Authorize) as plain <div>s, their close
// button an icon with no name. Each one that appears gets the role, the
// title and the name a screen reader needs: a dialog labelled by its
// heading, and a "Close" button (WCAG 4.1.2). React leaves these
// attributes alone, since it never set them.
let dialogs = 0;

export function nameDialogs(root: HTMLElement): MutationObserver {
  const name = () => {
    root.querySelectorAll<HTMLElement>('.modal-ux:not([role])').forEach((dialog) => {
      const heading = dialog.querySelector('.modal-ux-header h3');
      dialog.setAttribute('role', 'dialog');
      dialog.setAttribute('aria-modal', 'true');
      if (heading) {
        heading.id ||= `swagger-dialog-${(dialogs += 1)}`;
        dialog.setAttribute('aria-labelledby', heading.id);
      }
    });
    root.querySelectorAll('button.close-modal:not([aria-label])').forEach((button) => {
      button.setAttribute('aria-label', 'Close');
    });
  };
  const observer = new MutationObserver(name);
  observer.observe(root, { childList: true, subtree: true });
  name();
  return observer;
}
