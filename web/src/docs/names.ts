// What Swagger UI 5 leaves without a name for a screen reader (WCAG 4.1.2),
// named as it appears: its dialogs (Authorize) are plain <div>s, labelled
// here by their heading, each close button an icon, here "Close"; the
// servers' <select> sits in an empty <label>, here labelled by the
// "Servers" title beside it. React leaves these attributes alone, since it
// never set them.
let named = 0;

function labelBy(element: Element, label: Element | null) {
  if (!label) return;
  label.id ||= `swagger-label-${(named += 1)}`;
  element.setAttribute('aria-labelledby', label.id);
}

export function completeNames(root: HTMLElement): MutationObserver {
  const name = () => {
    root.querySelectorAll('.modal-ux:not([role])').forEach((dialog) => {
      dialog.setAttribute('role', 'dialog');
      dialog.setAttribute('aria-modal', 'true');
      labelBy(dialog, dialog.querySelector('.modal-ux-header h3'));
    });
    root.querySelectorAll('button.close-modal:not([aria-label])').forEach((button) => {
      button.setAttribute('aria-label', 'Close');
    });
    root.querySelectorAll('.schemes-server-container select:not([aria-labelledby])').forEach((select) => {
      labelBy(select, root.querySelector('.schemes-server-container .servers-title'));
    });
  };
  const observer = new MutationObserver(name);
  observer.observe(root, { childList: true, subtree: true });
  name();
  return observer;
}
