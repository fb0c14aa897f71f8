import { Suspense, useEffect, useState } from 'react';
import { Link, NavLink, Navigate, Outlet, useLocation, useNavigate } from 'react-router';
import { api, errorMessage } from './api';
import { Loading, ErrorAlert } from './components/Loading';
import { SessionContext, homeFor, useSession } from './session';
import type { User } from './types';

/** Resolves who is signed in (GET /me) before anything else renders. */
export default function App() {
  const [user, setUser] = useState<User | null>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    // Sign-in sets a readable CSRF cookie beside the HttpOnly session one, with the same lifetime:
    // without it there is no session to ask about (and no 401 to log in the console).
    if (!api.csrfToken()) {
      setUser(null);
      return;
    }
    api.me().then(
      (u) => setUser(u),
      (e) => (e?.status === 401 ? setUser(null) : setError(errorMessage(e))),
    );
  }, []);
  if (error) return <main className="container py-4"><ErrorAlert message={error} /></main>;
  if (user === undefined) return <main className="container py-4"><Loading /></main>;
  return (
    <SessionContext.Provider value={{ user, setUser }}>
      <Shell />
    </SessionContext.Provider>
  );
}

function Shell() {
  const { user, setUser } = useSession();
  const location = useLocation();
  const navigate = useNavigate();
  if (!user && location.pathname !== '/signin') {
    return <Navigate to={`/signin?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;
  }
  const signOut = async () => {
    try {
      await api.signOut();
    } finally {
      setUser(null);
      navigate('/signin');
    }
  };
  const link = ({ isActive }: { isActive: boolean }) => `nav-link${isActive ? ' active' : ''}`;
  return (
    <>
      <a className="visually-hidden-focusable btn btn-light position-absolute m-2" href="#main">
        Skip to content
      </a>
      <header className="navbar navbar-expand bg-body-tertiary border-bottom">
        <nav className="container flex-wrap gap-2" aria-label="Main">
          <Link className="navbar-brand" to={user ? homeFor(user) : '/signin'}>
            capconf
          </Link>
          {user && (
            <>
              <ul className="navbar-nav me-auto flex-wrap">
                {user.role !== 'seller' && (
                  <>
                    <li className="nav-item"><NavLink className={link} to="/marketplace">Marketplace</NavLink></li>
                    <li className="nav-item"><NavLink className={link} to="/agents">My agents</NavLink></li>
                  </>
                )}
                {user.role !== 'buyer' && (
                  <li className="nav-item"><NavLink className={link} to="/seller">Offerings</NavLink></li>
                )}
              </ul>
              <span className="navbar-text small text-truncate" style={{ maxWidth: '14rem' }} title={user.email}>
                {user.display_name} <span className="text-body-secondary">({user.role})</span>
              </span>
              <button type="button" className="btn btn-outline-secondary btn-sm" onClick={signOut}>
                Sign out
              </button>
            </>
          )}
        </nav>
      </header>
      <main id="main" className="container py-4" tabIndex={-1}>
        <Suspense fallback={<Loading />}>
          <Outlet />
        </Suspense>
      </main>
    </>
  );
}

export function Home() {
  const { user } = useSession();
  return <Navigate to={user ? homeFor(user) : '/signin'} replace />;
}

export function NotFound() {
  return (
    <>
      <h1 className="h3">Not found</h1>
      <p>
        There is nothing at this address. <Link to="/">Go to the start page</Link>.
      </p>
    </>
  );
}
