import { useEffect, useState } from 'preact/hooks';

/** In-app navigation of a browser app living under one base path (`/h5`, `/designer`). */

export function navigate(href: string, replace = false): void {
  if (replace) history.replaceState(null, '', href);
  else history.pushState(null, '', href);
  dispatchEvent(new PopStateEvent('popstate'));
}

/** A click handler: a link into the app changes the page without reloading (a modified click opens a new tab as usual). */
export function linkClickWithin(base: string): (event: MouseEvent) => void {
  return (event) => {
    const anchor = (event.target as Element | null)?.closest('a');
    if (!anchor || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const href = anchor.getAttribute('href');
    if (!href || !href.startsWith(`${base}/`) || anchor.target) return;
    event.preventDefault();
    navigate(href);
  };
}

/** The address the app shows, following its links and the back button. */
export function useLocation(): { pathname: string; search: string } {
  const [location, setLocation] = useState(() => ({ pathname: window.location.pathname, search: window.location.search }));
  useEffect(() => {
    const update = () => setLocation({ pathname: window.location.pathname, search: window.location.search });
    addEventListener('popstate', update);
    return () => removeEventListener('popstate', update);
  }, []);
  return location;
}
