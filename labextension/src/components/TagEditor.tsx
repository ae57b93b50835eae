import { Notification } from '@jupyterlab/apputils';
import * as React from 'react';

import type { RunModel } from '../models/run';
import { orderSystemTags } from '../namespaces';
import type { ITagCount } from '../types';
import { Problem } from './Problem';
import { TagChip } from './TagChip';
import { TagInput } from './TagInput';

/** Remove a tag, then offer to put it back (a toast with Undo). */
async function removeWithUndo(run: RunModel, tag: string): Promise<void> {
  if (!(await run.editTags([], [tag]))) {
    return; // the editor shows why
  }
  Notification.info(`Removed tag "${tag}" from ${run.pathspec}.`, {
    autoClose: 10000,
    actions: [
      {
        label: 'Undo',
        caption: `Add "${tag}" back to ${run.pathspec}`,
        callback: () => void run.editTags([tag], [])
      }
    ]
  });
}

/** A run's tags: user tags removable and addable inline, system tags locked. */
export function TagEditor(props: {
  run: RunModel;
  suggestions: readonly ITagCount[];
}): JSX.Element | null {
  const { run } = props;
  const info = run.run;
  if (!info) {
    return null;
  }
  const userSuggestions = props.suggestions.filter(s => !s.system);
  return (
    <div className="jp-mfns-tageditor">
      <div className="jp-mfns-field">
        <span className="jp-mfns-field-label" id="jp-mfns-usertags">
          Tags
        </span>
        <div
          className="jp-mfns-chips"
          role="group"
          aria-labelledby="jp-mfns-usertags"
        >
          {info.tags.map(tag => (
            <TagChip
              key={tag}
              tag={tag}
              disabled={run.tagBusy}
              onRemove={() => void removeWithUndo(run, tag)}
            />
          ))}
          <TagInput
            suggestions={userSuggestions}
            exclude={info.tags}
            label="Add a tag to this run"
            placeholder="Add tag…"
            disabled={run.tagBusy}
            onType={() => run.clearTagProblem()}
            onSubmit={tag => void run.editTags([tag], [])}
          />
          {run.tagBusy && (
            <span
              className="jp-mfns-spinner"
              role="status"
              aria-label="Saving tags"
            />
          )}
        </div>
      </div>
      <Problem
        problem={run.tagProblem}
        onDismiss={() => run.clearTagProblem()}
      />
      <div className="jp-mfns-field">
        <span className="jp-mfns-field-label" id="jp-mfns-systags">
          System
        </span>
        <div
          className="jp-mfns-chips"
          role="group"
          aria-labelledby="jp-mfns-systags"
        >
          {orderSystemTags(info).map(tag => (
            <TagChip key={tag} tag={tag} system />
          ))}
        </div>
      </div>
    </div>
  );
}
