// The end of a dialog's form: the message that belongs to no field, then
// Cancel and the submit button (disabled while saving).
interface Props {
  general: string | null;
  saving: boolean;
  submitLabel: string;
  onCancel: () => void;
}

export function FormFooter({ general, saving, submitLabel, onCancel }: Props) {
  return (
    <>
      {general && (
        <p className="form-error" role="alert">
          {general}
        </p>
      )}
      <div className="actions">
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={saving}>
          {submitLabel}
        </button>
      </div>
    </>
  );
}
