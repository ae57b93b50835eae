import { copyIcon, ToolbarButtonComponent } from '@jupyterlab/ui-components';
import * as React from 'react';

import { ActionsContext } from './actions';

/** A small button that copies a pathspec. */
export function CopyButton(props: {
  text: string;
  label?: string;
}): JSX.Element {
  const actions = React.useContext(ActionsContext);
  return (
    <ToolbarButtonComponent
      className="jp-mfns-copy"
      icon={copyIcon}
      tooltip={`Copy ${props.label ?? 'pathspec'} ${props.text}`}
      onClick={() => actions.copy(props.text, props.label)}
    />
  );
}
