// Log in or register. Registration says who becomes the admin; the server's
// messages ("Incorrect username or password", "Username already registered",
// "Registration is closed", a throttled 429) are shown as they come.
// The setup code field appears only once the server asks for it: the first
// account, registered from another machine than gatewatch's own.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Api, ApiError, placeErrors } from '../api';
import { Field } from './Field';

// The server's 403 details that mean "send the setup code from the log".
const SETUP_CODE_DETAILS = new Set(['Setup code required', 'Invalid setup code']);

interface Props {
  api: Api;
  notice: string | null; // why we are here: an expired session, a logout
  onToken: (token: string) => void;
}

export function LoginPage({ api, notice, onToken }: Props) {
  const [mode, setMode] = useState<'login' | 'register'>('login');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [setupCode, setSetupCode] = useState<string | null>(null); // null: not asked for
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const setupCodeInput = useRef<HTMLInputElement>(null);

  // The server asked for the code (or refused it): take the user to the field.
  useEffect(() => {
    if (errors.setup_code) setupCodeInput.current?.focus();
  }, [errors.setup_code]);

  const switchTo = (next: 'login' | 'register') => {
    setMode(next);
    setErrors({});
    setGeneral(null);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setErrors({});
    setGeneral(null);
    if (mode === 'register' && password !== repeat) {
      setErrors({ repeat: 'The two passwords differ' });
      return;
    }
    if (mode === 'register' && setupCode !== null && setupCode.trim() === '') {
      setErrors({ setup_code: "Enter the setup code from gatewatch's log" });
      return;
    }
    setBusy(true);
    try {
      if (mode === 'register') await api.register(username, password, setupCode?.trim());
      const { access_token } = await api.login(username, password);
      onToken(access_token);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      const asksForCode = mode === 'register' && error.status === 403 && SETUP_CODE_DETAILS.has(error.message);
      if (asksForCode && setupCode === null) setSetupCode('');
      const extra: Record<string, string> = error.status === 409 ? { username: error.message } : asksForCode ? { setup_code: error.message } : {};
      const placed = placeErrors(error, extra);
      setErrors(placed.fields);
      setGeneral(placed.general);
      setBusy(false);
    }
  };

  return (
    <main className="login">
      <div className="login-card">
        <h1>
          <img src="/favicon.svg" alt="" width={28} height={28} /> gatewatch
        </h1>
        <div className="tabs" role="tablist" aria-label="Account">
          <button type="button" role="tab" aria-selected={mode === 'login'} onClick={() => switchTo('login')}>
            Log in
          </button>
          <button type="button" role="tab" aria-selected={mode === 'register'} onClick={() => switchTo('register')}>
            Register
          </button>
        </div>
        {notice && (
          <p className="notice" role="status">
            {notice}
          </p>
        )}
        <form onSubmit={submit} noValidate aria-label={mode === 'login' ? 'Log in' : 'Register'}>
          <Field label="Username" error={errors.username} hint={mode === 'register' ? '3 to 32 letters, digits, _ . -' : undefined}>
            <input value={username} onChange={(e) => setUsername(e.target.value)} autoComplete="username" autoCapitalize="none" spellCheck={false} />
          </Field>
          <Field label="Password" error={errors.password} hint={mode === 'register' ? '8 to 128 characters' : undefined}>
            <input
              type="password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              autoComplete={mode === 'login' ? 'current-password' : 'new-password'}
            />
          </Field>
          {mode === 'register' && (
            <Field label="Repeat password" error={errors.repeat}>
              <input type="password" value={repeat} onChange={(e) => setRepeat(e.target.value)} autoComplete="new-password" />
            </Field>
          )}
          {mode === 'register' && setupCode !== null && (
            <Field
              label="Setup code"
              error={errors.setup_code}
              hint="Printed in gatewatch's log when it starts. Needed only for the first account, when registering from another machine."
            >
              <input
                ref={setupCodeInput}
                value={setupCode}
                onChange={(e) => setSetupCode(e.target.value)}
                autoComplete="off"
                autoCapitalize="none"
                spellCheck={false}
              />
            </Field>
          )}
          {mode === 'register' && (
            <p className="hint">The first account registered becomes the admin; later accounts can view but not edit.</p>
          )}
          {general && (
            <p className="form-error" role="alert">
              {general}
            </p>
          )}
          <button type="submit" className="primary wide" disabled={busy}>
            {mode === 'login' ? 'Log in' : 'Register and log in'}
          </button>
        </form>
      </div>
    </main>
  );
}
