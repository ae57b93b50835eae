import {
  Button,
  caretDownIcon,
  caretUpIcon,
  caseSensitiveIcon
} from '@jupyterlab/ui-components';
import * as React from 'react';

import type { ILogSearch, LogModel } from '../models/log';

/** Typing pauses this long before the whole log is searched. */
const SEARCH_DELAY_MS = 300;

/** "12 of 40", "No match", "Searching…", or "" without a search. */
export function matchCount(search: ILogSearch | null): string {
  if (!search) {
    return '';
  }
  if (search.loading) {
    return 'Searching…';
  }
  if (search.problem) {
    return '';
  }
  if (!search.matches) {
    return 'No match';
  }
  const of = `${(search.current + 1).toLocaleString()} of ${search.matches.toLocaleString()}`;
  return search.matches > search.lines.length
    ? `${of} (first ${search.lines.length.toLocaleString()} listed)`
    : of;
}

/**
 * Search over the whole log, on the server: typing searches (after a pause), Enter and
 * the arrows go to the next / previous match, Shift+Enter to the previous.
 */
export function LogSearch(props: {
  log: LogModel;
  /** Number of the line at the top of the view: the search starts there. */
  topLine: React.MutableRefObject<number>;
}): JSX.Element {
  const { log, topLine } = props;
  const search = log.search;
  const [text, setText] = React.useState(search?.text ?? '');
  const [caseSensitive, setCase] = React.useState(
    search?.caseSensitive ?? false
  );
  // What was typed and not searched yet: searched after a pause.
  const [typed, setTyped] = React.useState<string | null>(null);
  React.useEffect(() => {
    if (typed === null) {
      return;
    }
    const timer = setTimeout(() => {
      setTyped(null);
      void log.find(typed, caseSensitive, topLine.current);
    }, SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [typed, caseSensitive, log, topLine]);

  const searchNow = (what: string, exact: boolean) => {
    setTyped(null);
    void log.find(what, exact, topLine.current);
  };
  const go = (step: 1 | -1) => {
    if (
      typed !== null ||
      (search?.text ?? '') !== text ||
      search?.caseSensitive !== caseSensitive
    ) {
      searchNow(text, caseSensitive);
    } else {
      void log.step(step);
    }
  };
  const none = !search?.lines.length;
  return (
    <div className="jp-mfns-log-search" role="search">
      <input
        className="jp-mfns-input jp-mfns-log-search-input"
        type="search"
        aria-label={`Search the whole ${log.stream}`}
        placeholder={`Search ${log.stream}…`}
        value={text}
        onChange={event => {
          setText(event.target.value);
          setTyped(event.target.value);
        }}
        onKeyDown={event => {
          if (event.key === 'Enter') {
            event.preventDefault();
            go(event.shiftKey ? -1 : 1);
          } else if (event.key === 'Escape' && text) {
            event.preventDefault();
            event.stopPropagation();
            setText('');
            searchNow('', caseSensitive);
          }
        }}
      />
      <Button
        small
        minimal
        className={`jp-mfns-log-case${caseSensitive ? ' jp-mod-toggled' : ''}`}
        aria-pressed={caseSensitive}
        title="Match case"
        aria-label="Match case"
        onClick={() => {
          setCase(!caseSensitive);
          if (text) {
            searchNow(text, !caseSensitive);
          }
        }}
      >
        <caseSensitiveIcon.react tag="span" />
      </Button>
      <Button
        small
        minimal
        title="Previous match (Shift+Enter)"
        aria-label="Previous match"
        disabled={none}
        onClick={() => go(-1)}
      >
        <caretUpIcon.react tag="span" />
      </Button>
      <Button
        small
        minimal
        title="Next match (Enter)"
        aria-label="Next match"
        disabled={none}
        onClick={() => go(1)}
      >
        <caretDownIcon.react tag="span" />
      </Button>
      <span className="jp-mfns-log-count jp-mfns-muted" aria-live="polite">
        {matchCount(search)}
      </span>
      {search?.problem && (
        <span className="jp-mfns-log-count jp-mfns-error-text" role="alert">
          {search.problem.message}
        </span>
      )}
    </div>
  );
}
