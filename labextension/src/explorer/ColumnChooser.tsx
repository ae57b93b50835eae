/** The "Columns" button: show or hide each column, and forget dragged widths. */
import * as React from 'react';

import { isShown, resetWidths, toggleColumn } from './columns';
import type { ExplorerModel } from './model';

export function ColumnChooser(props: { model: ExplorerModel }): JSX.Element {
  const { model } = props;
  const [open, setOpen] = React.useState(false);
  const root = React.useRef<HTMLDivElement>(null);

  React.useEffect(() => {
    if (!open) {
      return;
    }
    const close = (event: Event) => {
      if (!root.current?.contains(event.target as Node)) {
        setOpen(false);
      }
    };
    document.addEventListener('pointerdown', close, true);
    return () => document.removeEventListener('pointerdown', close, true);
  }, [open]);

  const columns = model.columns;
  const parameters = columns.filter(c => c.parameter);
  return (
    <div
      className="jp-mfns-xp-chooser"
      ref={root}
      onKeyDown={event => {
        if (event.key === 'Escape' && open) {
          event.stopPropagation();
          setOpen(false);
        }
      }}
    >
      <button
        className="jp-mfns-xp-button"
        aria-expanded={open}
        aria-haspopup="true"
        onClick={() => setOpen(!open)}
        title="Choose the columns shown"
      >
        Columns ▾
      </button>
      {open && (
        <div className="jp-mfns-xp-menu" role="group" aria-label="Columns">
          {columns.map(column => (
            <label
              key={column.id}
              className="jp-mfns-xp-menu-item"
              title={column.description}
            >
              <input
                type="checkbox"
                checked={isShown(column, model.prefs)}
                onChange={() =>
                  model.setPrefs(toggleColumn(model.prefs, column))
                }
              />
              <span className={column.parameter ? 'jp-mfns-mono' : ''}>
                {column.label}
              </span>
            </label>
          ))}
          {!parameters.length && (
            <div className="jp-mfns-xp-menu-note">
              Parameter columns appear when the runs carry parameters.
            </div>
          )}
          <button
            className="jp-mfns-link jp-mfns-xp-menu-reset"
            onClick={() => model.setPrefs(resetWidths(model.prefs))}
          >
            Reset column widths
          </button>
        </div>
      )}
    </div>
  );
}
