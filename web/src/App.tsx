// The login gate: the login screen until there is a token and the account
// behind it is known, then the dashboard. When the server refuses the token
// (401, or the socket's 1008 at expiry), back to the login screen with a
// message; the URL's hash, i.e. the view the user was on, is kept, so
// logging in again returns there.
import { useCallback, useEffect, useMemo, useState } from 'react';
import { Api, ApiError } from './api';
import { Dashboard } from './components/Dashboard';
import { LoginPage } from './components/LoginPage';
import { loadToken, saveToken } from './session';
import type { User } from './types';

export function App() {
  const [token, setToken] = useState<string | null>(loadToken);
  const [user, setUser] = useState<User | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [meError, setMeError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);

  const endSession = useCallback((message: string | null) => {
    saveToken(null);
    setToken(null);
    setUser(null);
    setNotice(message);
  }, []);

  const api = useMemo(
    () => new Api({ token: () => loadToken(), onUnauthorized: (message) => endSession(message) }),
    [endSession],
  );

  useEffect(() => {
    if (!token) return;
    let cancelled = false;
    setMeError(null);
    api
      .me()
      .then((me) => {
        if (!cancelled) setUser(me);
      })
      .catch((error: ApiError) => {
        // A 401 has already ended the session; anything else can be retried.
        if (!cancelled && error.status !== 401) setMeError(error.message);
      });
    return () => {
      cancelled = true;
    };
  }, [api, token, attempt]);

  const onToken = useCallback((next: string) => {
    saveToken(next);
    setNotice(null);
    setToken(next);
  }, []);
  const onLogout = useCallback(() => endSession('You have logged out.'), [endSession]);
  const onSessionLost = useCallback((message: string) => endSession(message), [endSession]);

  if (token && !user) {
    return (
      <main className="placeholder">
        {meError ? (
          <>
            <p role="alert">{meError}</p>
            <button type="button" onClick={() => setAttempt((n) => n + 1)}>
              Try again
            </button>
          </>
        ) : (
          <p>Loading…</p>
        )}
      </main>
    );
  }
  if (!token || !user) return <LoginPage api={api} notice={notice} onToken={onToken} />;
  return <Dashboard api={api} user={user} token={token} onLogout={onLogout} onSessionLost={onSessionLost} />;
}
