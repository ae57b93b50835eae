import * as React from 'react';

import { formatFullTime, formatSpan, formatTime } from '../format';
import type { CardsModel } from '../models/cards';
import type { TaskModel } from '../models/task';
import { ActionsContext } from './actions';
import { ArtifactsTable } from './ArtifactsTable';
import { CardsPanel } from './CardsPanel';
import { LogView } from './LogView';
import { Loading, Problem } from './Problem';
import { DetailHead } from './Status';

type Tab = 'stdout' | 'stderr' | 'artifacts' | 'cards';

/** Tabs that arrow keys move between, as WAI-ARIA tabs do. */
function Tabs(props: {
  tabs: Tab[];
  tab: Tab;
  counts: Record<Tab, string>;
  onChange: (tab: Tab) => void;
}): JSX.Element {
  const tabs = props.tabs;
  const refs = React.useRef<Record<string, HTMLButtonElement | null>>({});
  const onKeyDown = (event: React.KeyboardEvent) => {
    const step =
      event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
    if (step) {
      event.preventDefault();
      const next =
        tabs[(tabs.indexOf(props.tab) + step + tabs.length) % tabs.length];
      props.onChange(next);
      refs.current[next]?.focus();
    }
  };
  return (
    <div className="jp-mfns-tabs" role="tablist" onKeyDown={onKeyDown}>
      {tabs.map(t => (
        <button
          key={t}
          ref={node => {
            refs.current[t] = node;
          }}
          role="tab"
          aria-selected={props.tab === t}
          tabIndex={props.tab === t ? 0 : -1}
          className={`jp-mfns-tab${props.tab === t ? ' jp-mod-current' : ''}`}
          onClick={() => props.onChange(t)}
        >
          {t}
          {props.counts[t] && (
            <span className="jp-mfns-tab-count">{props.counts[t]}</span>
          )}
        </button>
      ))}
    </div>
  );
}

/** A task: status and times, stdout, stderr, artifacts and (given them) its cards. */
export function TaskView(props: {
  task: TaskModel;
  cards?: CardsModel;
}): JSX.Element {
  const { task, cards } = props;
  const actions = React.useContext(ActionsContext);
  const [tab, setTab] = React.useState<Tab>('stdout');
  const object = task.object;
  if (!object) {
    return task.problem ? (
      <Problem
        problem={task.problem}
        onSwitch={owner =>
          void actions.switchTo(owner, {
            kind: 'task',
            pathspec: task.pathspec
          })
        }
      />
    ) : (
      <Loading what={`Loading ${task.pathspec}…`} />
    );
  }
  const info = object.task;
  const origin = info.origin_task;
  const count = (stream: 'stdout' | 'stderr') => {
    const log = task.log(stream);
    return log.loaded ? `${log.lines.length}${log.truncated ? '+' : ''}` : '';
  };
  return (
    <div className="jp-mfns-detail jp-mfns-taskview">
      <DetailHead status={info.status} pathspec={info.pathspec} />
      <dl className="jp-mfns-meta">
        <dt>Started</dt>
        <dd title={formatFullTime(info.created_at)}>
          {formatTime(info.created_at)}
        </dd>
        <dt>Duration</dt>
        <dd>
          {formatSpan(
            info.created_at,
            info.finished_at,
            info.status === 'running'
          )}
        </dd>
        {info.attempt > 0 && (
          <>
            <dt>Attempt</dt>
            <dd>{info.attempt + 1}</dd>
          </>
        )}
        {origin && (
          <>
            <dt>Cloned from</dt>
            <dd>
              <button
                className="jp-mfns-link jp-mfns-mono"
                onClick={() =>
                  void actions.open({
                    kind: 'task',
                    pathspec: origin
                  })
                }
                title="This task was not re-run by resume; its results come from the original run"
              >
                {origin}
              </button>
            </dd>
          </>
        )}
      </dl>
      <Tabs
        tabs={
          cards
            ? ['stdout', 'stderr', 'artifacts', 'cards']
            : ['stdout', 'stderr', 'artifacts']
        }
        tab={tab}
        onChange={setTab}
        counts={{
          stdout: count('stdout'),
          stderr: count('stderr'),
          artifacts: task.artifacts ? String(task.artifacts.length) : '',
          cards: cards?.cards ? String(cards.cards.length) : ''
        }}
      />
      <div className="jp-mfns-tabbody">
        {tab === 'cards' ? (
          cards && <CardsPanel cards={cards} />
        ) : tab === 'artifacts' ? (
          <ArtifactsTable task={task} />
        ) : (
          <LogView key={tab} task={task} stream={tab} />
        )}
      </div>
    </div>
  );
}
