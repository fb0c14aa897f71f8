import 'bootstrap/dist/css/bootstrap.min.css';
import './styles.css';
import { StrictMode, lazy } from 'react';
import { createRoot } from 'react-dom/client';
import { RouterProvider, createBrowserRouter } from 'react-router';
import App, { Home, NotFound } from './App';
import MarketplacePage from './pages/MarketplacePage';
import MyAgentsPage from './pages/MyAgentsPage';
import SellerPage from './pages/SellerPage';
import SignInPage from './pages/SignInPage';

// rjsf and ajv are most of the page's weight: loaded with the configure page only.
const ConfigurePage = lazy(() => import('./pages/ConfigurePage'));

// A data router: useBlocker (the unsaved-changes guard) needs one.
const router = createBrowserRouter([
  {
    path: '/',
    element: <App />,
    children: [
      { index: true, element: <Home /> },
      { path: 'signin', element: <SignInPage /> },
      { path: 'marketplace', element: <MarketplacePage /> },
      { path: 'agents', element: <MyAgentsPage /> },
      { path: 'agents/:id', element: <ConfigurePage /> },
      { path: 'seller', element: <SellerPage /> },
      { path: '*', element: <NotFound /> },
    ],
  },
]);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <RouterProvider router={router} />
  </StrictMode>,
);
