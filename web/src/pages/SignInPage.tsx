import { useState, type FormEvent } from 'react';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { api, errorMessage } from '../api';
import { homeFor, useSession } from '../session';

export default function SignInPage() {
  const { user, setUser } = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const next = params.get('next');
  // Only paths of this page: an absolute URL in ?next= would send people elsewhere.
  const target = (u: Parameters<typeof homeFor>[0]) => (next && next.startsWith('/') && !next.startsWith('//') ? next : homeFor(u));

  if (user) return <Navigate to={target(user)} replace />;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const session = await api.signIn(email.trim(), password);
      const me = await api.me().catch(() => session.user);
      setUser(me);
      navigate(target(me), { replace: true });
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };

  return (
    <div className="row justify-content-center">
      <div className="col-sm-9 col-md-6 col-lg-5">
        <h1 className="h3 mb-3">Sign in</h1>
        <form onSubmit={submit} noValidate className="card card-body">
          <div className="mb-3">
            <label htmlFor="email" className="form-label">Email</label>
            <input id="email" type="email" className="form-control" autoComplete="username" required
              value={email} onChange={(e) => setEmail(e.target.value)} />
          </div>
          <div className="mb-3">
            <label htmlFor="password" className="form-label">Password</label>
            <input id="password" type="password" className="form-control" autoComplete="current-password" required
              value={password} onChange={(e) => setPassword(e.target.value)} />
          </div>
          {error && <div className="alert alert-danger py-2" role="alert">{error}</div>}
          <button type="submit" className="btn btn-primary" disabled={busy || !email || !password}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
      </div>
    </div>
  );
}
