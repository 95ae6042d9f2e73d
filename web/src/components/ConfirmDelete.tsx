// Asks before deleting. When deletion cannot happen (a room that still has
// devices), it says why instead and offers no delete button; a refusal from
// the server (e.g. a device added meanwhile) is shown the same way.
import { useState } from 'react';
import { ApiError } from '../api';
import { Modal } from './Modal';

interface Props {
  title: string;
  message: string;
  blockedBecause?: string | null;
  onConfirm: () => Promise<unknown>;
  onClose: () => void;
}

export function ConfirmDelete({ title, message, blockedBecause = null, onConfirm, onClose }: Props) {
  const [refusal, setRefusal] = useState<string | null>(blockedBecause);
  const [busy, setBusy] = useState(false);

  const confirm = async () => {
    setBusy(true);
    try {
      await onConfirm();
      onClose();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      setRefusal(error.message);
      setBusy(false);
    }
  };

  return (
    <Modal title={title} onClose={onClose}>
      {refusal ? (
        <p className="form-error" role="alert">
          {refusal}
        </p>
      ) : (
        <p>{message}</p>
      )}
      <div className="actions">
        <button type="button" onClick={onClose}>
          {refusal ? 'Close' : 'Cancel'}
        </button>
        {!refusal && (
          <button type="button" className="danger" onClick={confirm} disabled={busy}>
            Delete
          </button>
        )}
      </div>
    </Modal>
  );
}
