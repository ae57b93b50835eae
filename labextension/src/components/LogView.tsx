import { Button, downloadIcon, launchIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import { plural } from '../format';
import { EARLIER_LINES, LogModel } from '../models/log';
import type { TaskModel } from '../models/task';
import type { LogStream } from '../types';
import { ActionsContext } from './actions';
import { LogLines } from './LogLines';
import { LogSearch } from './LogSearch';
import { Loading, Problem } from './Problem';

/** How the lines are shown, kept while the page lives (every log view alike). */
const display = { wrap: false, timestamps: false };

/** "Lines 2,001–3,000 of 3,000", or "3,000 lines" when every line is loaded. */
export function windowText(log: LogModel): string {
  const total = log.total ?? log.last;
  if (log.first <= 1) {
    return plural(total, 'line');
  }
  const range = `${log.first.toLocaleString()}–${log.last.toLocaleString()}`;
  return `Lines ${range} of ${total.toLocaleString()}`;
}

/** Jump to a line: a number box, Enter goes there. */
function GoToLine(props: { log: LogModel }): JSX.Element {
  const { log } = props;
  const [text, setText] = React.useState('');
  const total = log.total ?? 0;
  const go = () => {
    const n = Number(text);
    if (Number.isInteger(n) && n >= 1) {
      void log.reveal(n);
    }
  };
  return (
    <input
      className="jp-mfns-input jp-mfns-log-goto"
      type="number"
      min={1}
      max={total || undefined}
      inputMode="numeric"
      aria-label="Go to line"
      placeholder="Line…"
      title={
        total ? `Go to line (1 to ${total.toLocaleString()})` : 'Go to line'
      }
      value={text}
      disabled={!total}
      onChange={event => setText(event.target.value)}
      onKeyDown={event => {
        if (event.key === 'Enter') {
          event.preventDefault();
          go();
        }
      }}
    />
  );
}

function Toggle(props: {
  label: string;
  title: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
}): JSX.Element {
  return (
    <label className="jp-mfns-toggle" title={props.title}>
      <input
        type="checkbox"
        checked={props.checked}
        onChange={event => props.onChange(event.target.checked)}
      />
      {props.label}
    </label>
  );
}

/**
 * A task's stdout or stderr: numbered lines (optionally with timestamps, wrapped or
 * not), search over the whole log, jump to a line, earlier lines on demand, following
 * while the task runs, the whole log as a download. Inside a task's tab it offers to
 * open the log in a tab of its own.
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
  const topLine = React.useRef(1);
  const [wrap, setWrap] = React.useState(display.wrap);
  const [timestamps, setTimestamps] = React.useState(display.timestamps);
  const running = task.running;
  const earlier = log.earlier;
  return (
    <div className="jp-mfns-log" role="tabpanel" aria-label={stream}>
      <div className="jp-mfns-log-toolbar">
        <LogSearch log={log} topLine={topLine} />
        <GoToLine log={log} />
        <Toggle
          label="Timestamps"
          title="Show when each line was printed"
          checked={timestamps}
          onChange={checked => setTimestamps((display.timestamps = checked))}
        />
        <Toggle
          label="Wrap"
          title="Wrap long lines instead of scrolling sideways"
          checked={wrap}
          onChange={checked => setWrap((display.wrap = checked))}
        />
        {(running || task.follow) && (
          <Toggle
            label="Follow"
            title="Fetch new lines every few seconds while the task runs"
            checked={task.follow}
            onChange={checked => task.setFollow(checked)}
          />
        )}
        <span className="jp-mfns-log-actions">
          <a
            className="jp-mfns-log-download jp-Button jp-mod-minimal jp-mod-small"
            href={log.downloadUrl}
            download
            title={`Download the whole ${stream} as a text file`}
          >
            <downloadIcon.react tag="span" className="jp-mfns-button-icon" />
            Download
          </a>
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
        </span>
      </div>
      {log.loaded && log.lines.length > 0 && (
        <div className="jp-mfns-log-window">
          <span className="jp-mfns-log-range">{windowText(log)}</span>
          {earlier > 0 && (
            <>
              <Button
                small
                className="jp-mfns-log-earlier"
                disabled={log.loading}
                onClick={() => void log.loadEarlier()}
              >
                Load {Math.min(EARLIER_LINES, earlier).toLocaleString()} earlier
              </Button>
              <span className="jp-mfns-muted jp-mfns-log-remain">
                {plural(earlier, 'earlier line')} not loaded
              </span>
            </>
          )}
        </div>
      )}
      {running && (
        <div className="jp-mfns-log-note jp-mfns-muted">
          The task is running. Metaflow&apos;s local runtime saves a task&apos;s
          logs when the task ends: new lines may appear only then.
        </div>
      )}
      <Problem problem={log.problem} />
      {!log.loaded && <Loading what={`Loading ${stream}…`} />}
      {log.loaded && log.lines.length === 0 && !log.problem && (
        <div className="jp-mfns-empty">
          {running
            ? `No ${stream} line yet.`
            : `Nothing was printed on ${stream}.`}
        </div>
      )}
      {log.lines.length > 0 && (
        <LogLines
          log={log}
          wrap={wrap}
          timestamps={timestamps}
          topLine={topLine}
        />
      )}
    </div>
  );
}
