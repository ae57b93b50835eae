import { lockIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

/** A tag as a chip: user tags may carry a remove button, system tags are locked. */
export function TagChip(props: {
  tag: string;
  system?: boolean;
  onRemove?: () => void;
  onClick?: () => void;
  disabled?: boolean;
  title?: string;
}): JSX.Element {
  const { tag, system } = props;
  const cls = `jp-mfns-chip${system ? ' jp-mfns-chip-system' : ''}${
    props.onClick ? ' jp-mfns-chip-clickable' : ''
  }`;
  const title =
    props.title ?? (system ? `${tag} (system tag, cannot be changed)` : tag);
  return (
    <span className={cls} title={title} data-tag={tag}>
      {system && (
        <lockIcon.react
          tag="span"
          className="jp-mfns-chip-lock"
          height="10px"
          width="10px"
        />
      )}
      {props.onClick ? (
        <button
          className="jp-mfns-chip-label"
          tabIndex={-1}
          onClick={event => {
            event.stopPropagation(); // a chip inside a row must not open the row
            props.onClick?.();
          }}
        >
          {tag}
        </button>
      ) : (
        <span className="jp-mfns-chip-label">{tag}</span>
      )}
      {props.onRemove && (
        <button
          className="jp-mfns-chip-remove"
          onClick={event => {
            event.stopPropagation();
            props.onRemove?.();
          }}
          disabled={props.disabled}
          aria-label={`Remove tag ${tag}`}
          title={`Remove ${tag}`}
        >
          ×
        </button>
      )}
    </span>
  );
}
