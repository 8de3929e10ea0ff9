import type { ComponentChildren } from 'preact';

/** A bottom sheet (mobile) / centred dialog (desktop) over the page. */
export function Sheet({ title, onClose, children }: { title: string; onClose: () => void; children: ComponentChildren }) {
  return (
    <div class="sheet-backdrop" onClick={(e) => e.target === e.currentTarget && onClose()}>
      <section class="sheet" role="dialog" aria-modal="true" aria-label={title}>
        <header class="sheet-head">
          <h2>{title}</h2>
          <button type="button" class="link" onClick={onClose} aria-label="关闭">
            取消
          </button>
        </header>
        {children}
      </section>
    </div>
  );
}
