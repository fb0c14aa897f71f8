import { createContext, useContext } from 'react';
import type { User } from './types';

export interface Session {
  user: User | null;
  setUser: (user: User | null) => void;
}

export const SessionContext = createContext<Session>({ user: null, setUser: () => {} });

export function useSession(): Session {
  return useContext(SessionContext);
}

/** Where a user lands after signing in. */
export function homeFor(user: User): string {
  return user.role === 'seller' ? '/seller' : '/marketplace';
}
