import {
  HTMLSelect,
  refreshIcon,
  ToolbarButtonComponent
} from '@jupyterlab/ui-components';
import * as React from 'react';

import type { BrowserModel } from '../models/browser';
import type { KernelLink } from '../models/kernelLink';
import { GLOBAL_VALUE, namespaceGroups } from '../namespaces';
import { LinkControl } from './LinkControl';

/** The namespace dropdown, the refresh button and the global namespace warning. */
export function NamespaceBar(props: {
  model: BrowserModel;
  link: KernelLink | null;
}): JSX.Element {
  const { model, link } = props;
  const current = model.namespace;
  const groups = namespaceGroups(model.namespaces, current);
  return (
    <div className="jp-mfns-nsbar">
      <label className="jp-mfns-nsbar-label" htmlFor="jp-mfns-namespace">
        Namespace
      </label>
      <div className="jp-mfns-nsbar-row">
        <HTMLSelect
          id="jp-mfns-namespace"
          className="jp-mfns-nsbar-select"
          aria-label="Metaflow namespace"
          value={current ?? GLOBAL_VALUE}
          disabled={!model.ready}
          onChange={event => {
            const value = event.currentTarget.value;
            model.setNamespace(value === GLOBAL_VALUE ? null : value);
          }}
        >
          {groups.map(group => (
            <optgroup key={group.label} label={group.label}>
              {group.options.map(o => (
                <option key={o.value} value={o.value} title={o.title}>
                  {o.label}
                </option>
              ))}
            </optgroup>
          ))}
        </HTMLSelect>
        <ToolbarButtonComponent
          icon={refreshIcon}
          tooltip="Refresh (namespaces, flows and runs)"
          onClick={() => void model.refresh()}
        />
      </div>
      {link && <LinkControl link={link} />}
      {model.ready && current === null && (
        <div className="jp-mfns-warning" role="note">
          Global namespace: runs of every user and deployment are mixed here, so
          “latest run” means little — it is just the newest run of anyone.
        </div>
      )}
      {model.ready && model.namespaces?.default === null && (
        <div className="jp-mfns-warning" role="note">
          Metaflow cannot tell who you are (set METAFLOW_USER), so there is no
          personal namespace.
        </div>
      )}
    </div>
  );
}
