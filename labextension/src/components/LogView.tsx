import { Button, launchIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import { plural } from '../format';
import { MORE_LINES, TaskModel } from '../models/task';
import type { ILogLine, LogStream } from '../types';
import { ActionsContext } from './actions';
import { Loading, Problem } from './Problem';

function clock(ts: number | null): string {
  return ts === null ? '' : new Date(ts).toLocaleTimeString();
}

/** The line's text with every (case-insensitive) match of `needle` marked. */
function highlight(text: string, needle: string): React.ReactNode {
  if (!needle) {
    return text || '\u00a0';
  }
  const lower = text.toLowerCase();
  const parts: React.ReactNode[] = [];
  let from = 0;
  let at = lower.indexOf(needle);
  while (at >= 0) {
    parts.push(text.slice(from, at));
    parts.push(<mark key={at}>{text.slice(at, at + needle.length)}</mark>);
    from = at + needle.length;
    at = lower.indexOf(needle, from);
  }
  parts.push(text.slice(from));
  return parts;
}

/**
 * The end of a task's stdout or stderr: load earlier lines, search, follow while it
 * runs. Inside a task's tab it offers to open the log in a tab of its own.
 */
export function LogView(props: {
  task: TaskModel;
  stream: LogStream;
  /** The log fills its own tab (no "open in a tab" button). */
  standalone?: boolean;
}): JSX.Element {
  const { task, stream } = props;
  const actions = React.useContext(ActionsContext);
  const log = task.log(stream);
  const [query, setQuery] = React.useState('');
  const box = React.useRef<HTMLDivElement>(null);
  const stick = React.useRef(true); // the view sits at the bottom: keep it there
  const needle = query.toLowerCase();
  const lines: ILogLine[] = needle
    ? log.lines.filter(l => l.text.toLowerCase().includes(needle))
    : log.lines;

  React.useLayoutEffect(() => {
    const node = box.current;
    if (node && stick.current && !needle) {
      node.scrollTop = node.scrollHeight;
    }
  }, [log.lines, stream, needle]);

  const running = task.object?.task.finished_at === null && !log.finished;
  return (
    <div className="jp-mfns-log" role="tabpanel" aria-label={stream}>
      <div className="jp-mfns-log-toolbar">
        <input
          className="jp-mfns-input jp-mfns-log-search"
          type="search"
          aria-label={`Search ${stream}`}
          placeholder={`Search ${stream}…`}
          value={query}
          onChange={event => setQuery(event.target.value)}
        />
        <span className="jp-mfns-muted" aria-live="polite">
          {needle
            ? `${plural(lines.length, 'matching line')} of ${log.lines.length.toLocaleString()}`
            : log.loaded
              ? plural(log.lines.length, 'line')
              : ''}
        </span>
        {(running || task.follow) && (
          <label
            className="jp-mfns-follow"
            title="Fetch new lines every few seconds"
          >
            <input
              type="checkbox"
              checked={task.follow}
              onChange={event => task.setFollow(event.target.checked)}
            />
            Follow
          </label>
        )}
        {!props.standalone && (
          <Button
            small
            minimal
            className="jp-mfns-log-open"
            title={`Open ${stream} in a tab of its own`}
            onClick={() =>
              void actions.open({
                kind: 'log',
                pathspec: task.pathspec,
                stream,
                namespace: task.namespace
              })
            }
          >
            <launchIcon.react tag="span" className="jp-mfns-button-icon" />
            Open in tab
          </Button>
        )}
      </div>
      <Problem problem={log.problem} />
      <div
        className="jp-mfns-log-lines"
        ref={box}
        tabIndex={0}
        aria-label={`${stream} lines`}
        onScroll={event => {
          const node = event.currentTarget;
          stick.current =
            node.scrollHeight - node.scrollTop - node.clientHeight < 24;
        }}
      >
        {log.truncated && (
          <div className="jp-mfns-log-more">
            <span className="jp-mfns-muted">
              Showing the last {plural(log.lines.length, 'line')}.
            </span>
            {task.canLoadMore(stream) ? (
              <Button
                small
                disabled={log.loading}
                onClick={() => {
                  stick.current = false;
                  void task.loadMore(stream);
                }}
              >
                Load {MORE_LINES.toLocaleString()} earlier lines
              </Button>
            ) : (
              <span className="jp-mfns-muted">
                (this server sends at most that many)
              </span>
            )}
          </div>
        )}
        {!log.loaded && <Loading what={`Loading ${stream}…`} />}
        {log.loaded && log.lines.length === 0 && !log.problem && (
          <div className="jp-mfns-empty">
            {running
              ? `No ${stream} line yet. (A local Metaflow store receives a task's logs when the task ends.)`
              : `Nothing was printed on ${stream}.`}
          </div>
        )}
        <pre className="jp-mfns-log-text">
          {lines.map((line, i) => (
            <div key={i} className="jp-mfns-log-line" title={clock(line.ts)}>
              {highlight(line.text, needle)}
            </div>
          ))}
        </pre>
        {running && task.follow && (
          <Loading what="Following: new lines appear as the task prints them…" />
        )}
      </div>
    </div>
  );
}
