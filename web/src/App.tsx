// The login gate: the login screen until there is a token and the account
// behind it is known, then the dashboard. When the server refuses the token
// (401, or the socket's 1008 at expiry), back to the login screen with a
// message; the URL's hash, i.e. the view the user was on, is kept, so
// logging in again returns there.
//
// Changing one's password revokes every older token, this tab's too: the
// app logs in again at once with the new password and goes on with the new
// token (the page stays; the status socket reconnects). A refusal of a token
// that is no longer the current one (a call or socket of the old token, or
// another tab that has a newer token in storage) does not end the session:
// the app takes the stored token instead.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
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
  // Between the password change's 204 and the new login, the old token's refusals are expected.
  const renewing = useRef(false);

  const endSession = useCallback((message: string | null) => {
    saveToken(null);
    setToken(null);
    setUser(null);
    setNotice(message);
  }, []);

  // `refused`: the token the server refused.
  const sessionLost = useCallback(
    (message: string, refused?: string) => {
      if (renewing.current) return;
      const stored = loadToken();
      if (refused !== undefined && stored !== null && stored !== refused) {
        setToken(stored);
        return;
      }
      endSession(message);
    },
    [endSession],
  );

  const api = useMemo(() => new Api({ token: () => loadToken(), onUnauthorized: sessionLost }), [sessionLost]);

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

  // Resolves once the password is changed and the session goes on with a
  // new token (or, if logging in again failed, has ended with a message);
  // rejects with the server's refusal (a wrong current password, a new one
  // too short, too many attempts) for the form to show.
  const changePassword = useCallback(
    async (current: string, next: string) => {
      if (!user) return;
      renewing.current = true;
      try {
        await api.changePassword(current, next);
      } catch (error) {
        renewing.current = false;
        if (error instanceof ApiError && error.status === 401) {
          endSession('Your session has expired or was refused. Log in again to continue.');
          return;
        }
        throw error;
      }
      try {
        const { access_token } = await api.login(user.username, next);
        saveToken(access_token);
        setToken(access_token);
      } catch {
        endSession('Your password was changed. Log in again with the new password.');
      } finally {
        renewing.current = false;
      }
    },
    [api, user, endSession],
  );

  // An admin changed or deleted their own account on the users page.
  const onSelfChanged = useCallback(
    (me: User | null) => {
      if (me === null) endSession('Your account was deleted.');
      else if (me.disabled) endSession('Your account was disabled.');
      else setUser(me);
    },
    [endSession],
  );

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
  return (
    <Dashboard
      api={api}
      user={user}
      token={token}
      onLogout={onLogout}
      onSessionLost={sessionLost}
      onChangePassword={changePassword}
      onSelfChanged={onSelfChanged}
    />
  );
}
