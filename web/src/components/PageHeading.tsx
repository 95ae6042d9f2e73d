// A page's title (focused when the page opens, so a screen reader starts
// there), its one-line explanation and its main action; and what a viewer
// sees on an admin's page instead.
import { useEffect, useRef, type ReactNode } from 'react';

interface Props {
  title: string;
  subtitle: ReactNode;
  children?: ReactNode; // the page's main action
}

export function PageHeading({ title, subtitle, children }: Props) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <header className="page-header">
      <div className="page-title">
        <h1 ref={heading} tabIndex={-1}>
          {title}
        </h1>
        <span className="page-subtitle">{subtitle}</span>
      </div>
      {children}
    </header>
  );
}

// What a page's list shows before its items: a load that failed (with a way
// to try again), or that is still under way.
export function ListLoading({
  what,
  error,
  loading,
  onRetry,
}: {
  what: string;
  error: string | null;
  loading: boolean;
  onRetry: () => void;
}) {
  if (error)
    return (
      <p className="form-error" role="alert">
        Could not load {what}: {error}{' '}
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      </p>
    );
  return loading ? <p className="placeholder">Loading…</p> : null;
}

export function AdminOnly({ title, what, backHref }: { title: string; what: string; backHref: string }) {
  return (
    <main className="page">
      <PageHeading title={title} subtitle={`Only admins can ${what}.`} />
      <p>
        <a href={backHref}>Back to all devices</a>
      </p>
    </main>
  );
}
