import * as React from 'react';

import type { RunListModel } from '../models/runs';
import { TagChip } from './TagChip';
import { TagInput } from './TagInput';

/** Filter runs by tags (all must match): removable chips and an autocomplete box. */
export function TagFilter(props: { runs: RunListModel }): JSX.Element {
  const { runs } = props;
  const system = new Set(
    runs.suggestions.filter(s => s.system).map(s => s.tag)
  );
  return (
    <div className="jp-mfns-tagfilter" role="group" aria-label="Tag filter">
      {runs.tags.map(tag => (
        <TagChip
          key={tag}
          tag={tag}
          system={system.has(tag)}
          title={`Only runs tagged ${tag}`}
          onRemove={() => void runs.removeTag(tag)}
        />
      ))}
      <TagInput
        suggestions={runs.suggestions}
        exclude={runs.tags}
        label="Filter runs by tag"
        highlightFirst
        placeholder={runs.tags.length ? 'and tag…' : 'Filter by tag…'}
        onSubmit={tag => void runs.addTag(tag)}
        onBackspaceEmpty={() => {
          const last = runs.tags[runs.tags.length - 1];
          if (last !== undefined) {
            void runs.removeTag(last);
          }
        }}
      />
      {runs.tags.length > 1 && (
        <button
          className="jp-mfns-link jp-mfns-clear"
          onClick={() => void runs.setTags([])}
        >
          Clear
        </button>
      )}
    </div>
  );
}
