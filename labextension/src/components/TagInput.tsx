import * as React from 'react';

import type { ITagCount } from '../types';

let nextId = 0;

/** Suggestions matching the typed text: prefix matches first, then most used. */
export function matchTags(
  suggestions: readonly ITagCount[],
  text: string,
  exclude: readonly string[],
  limit = 12
): ITagCount[] {
  const needle = text.trim().toLowerCase();
  const found = suggestions.filter(
    s => !exclude.includes(s.tag) && s.tag.toLowerCase().includes(needle)
  );
  found.sort((a, b) => {
    const pa = a.tag.toLowerCase().startsWith(needle) ? 0 : 1;
    const pb = b.tag.toLowerCase().startsWith(needle) ? 0 : 1;
    return pa - pb || b.runs - a.runs || a.tag.localeCompare(b.tag);
  });
  return found.slice(0, limit);
}

/**
 * A text box with tag autocomplete (an ARIA combobox): arrows (or the mouse) pick a
 * suggestion, Enter submits the highlighted one, else the typed text; Escape closes,
 * Backspace on empty calls `onBackspaceEmpty` (to remove the last chip). With
 * `highlightFirst` (a filter: only existing tags make sense) the best match is highlighted
 * as soon as something is typed, so Enter takes it rather than the partial text.
 */
export function TagInput(props: {
  suggestions: readonly ITagCount[];
  exclude: readonly string[];
  placeholder: string;
  label: string;
  disabled?: boolean;
  onSubmit: (tag: string) => void;
  onBackspaceEmpty?: () => void;
  onType?: () => void;
  highlightFirst?: boolean;
}): JSX.Element {
  const [text, setText] = React.useState('');
  const [open, setOpen] = React.useState(false);
  const [active, setActive] = React.useState(-1);
  const id = React.useMemo(() => `jp-mfns-taginput-${++nextId}`, []);
  const matches = open ? matchTags(props.suggestions, text, props.exclude) : [];
  // What is highlighted, in range of what is listed now.
  const current = active < matches.length ? active : matches.length - 1;

  const submit = (tag: string) => {
    if (tag.trim() === '') {
      return;
    }
    props.onSubmit(tag);
    setText('');
    setActive(-1);
    setOpen(false);
  };

  const onKeyDown = (event: React.KeyboardEvent<HTMLInputElement>) => {
    switch (event.key) {
      case 'ArrowDown':
        event.preventDefault();
        setOpen(true);
        setActive(Math.min(current + 1, matches.length - 1));
        break;
      case 'ArrowUp':
        event.preventDefault();
        setActive(Math.max(current - 1, -1));
        break;
      case 'Enter':
        event.preventDefault();
        submit(current >= 0 ? matches[current].tag : text);
        break;
      case 'Escape':
        if (open) {
          event.preventDefault();
          event.stopPropagation();
          setOpen(false);
          setActive(-1);
        }
        break;
      case 'Backspace':
        if (text === '' && props.onBackspaceEmpty) {
          props.onBackspaceEmpty();
        }
        break;
    }
  };

  return (
    <div className="jp-mfns-taginput">
      <input
        className="jp-mfns-input"
        role="combobox"
        aria-label={props.label}
        aria-expanded={matches.length > 0}
        aria-controls={`${id}-list`}
        aria-autocomplete="list"
        aria-activedescendant={current >= 0 ? `${id}-${current}` : undefined}
        placeholder={props.placeholder}
        value={text}
        disabled={props.disabled}
        onChange={event => {
          setText(event.target.value);
          setOpen(true);
          setActive(props.highlightFirst && event.target.value.trim() ? 0 : -1);
          props.onType?.();
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => setOpen(false)}
        onKeyDown={onKeyDown}
      />
      {matches.length > 0 && (
        <ul className="jp-mfns-suggestions" role="listbox" id={`${id}-list`}>
          {matches.map((m, i) => (
            <li
              key={m.tag}
              id={`${id}-${i}`}
              role="option"
              aria-selected={i === current}
              className={`jp-mfns-suggestion${i === current ? ' jp-mod-active' : ''}${
                m.system ? ' jp-mfns-suggestion-system' : ''
              }`}
              onMouseEnter={() => setActive(i)}
              onMouseDown={event => {
                event.preventDefault(); // keep focus in the input
                submit(m.tag);
              }}
            >
              <span className="jp-mfns-suggestion-tag">{m.tag}</span>
              <span className="jp-mfns-suggestion-count">
                {m.system ? 'system · ' : ''}
                {m.runs.toLocaleString()}
              </span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
