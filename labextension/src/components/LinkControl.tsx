import { linkIcon, UseSignal } from '@jupyterlab/ui-components';
import * as React from 'react';

import type { KernelLink, LinkState } from '../models/kernelLink';

function describe(link: KernelLink): { text: string; title: string } {
  const notebook = link.notebook ?? 'the active notebook';
  const texts: Record<LinkState, { text: string; title: string }> = {
    off: {
      text: 'Link to the notebook’s kernel',
      title:
        'Share the namespace with the active notebook’s kernel: %mfns namespace moves the panel, the panel moves metaflow.namespace()'
    },
    pending: {
      text: `Linking to ${notebook}…`,
      title:
        'Waiting for the kernel (it answers once the running cell finishes). Click to cancel.'
    },
    linked: {
      text: `Linked to ${notebook}`,
      title: `The panel and the kernel of ${notebook} share one Metaflow namespace. Click to unlink.`
    },
    unavailable: {
      text: link.message ?? 'Cannot link',
      title: 'Click to try again'
    }
  };
  return texts[link.state];
}

/** Shows and toggles the link between the panel and the active notebook's kernel. */
export function LinkControl(props: { link: KernelLink }): JSX.Element {
  const { link } = props;
  return (
    <UseSignal signal={link.changed}>
      {() => {
        const { text, title } = describe(link);
        return (
          <div className="jp-mfns-linkrow">
            <button
              className={`jp-mfns-linkbutton jp-mod-${link.state}`}
              data-mfns-link={link.state}
              aria-pressed={link.state === 'linked'}
              title={title}
              onClick={() => link.toggle()}
            >
              {link.state === 'pending' ? (
                <span className="jp-mfns-spinner" aria-hidden="true" />
              ) : (
                <linkIcon.react tag="span" className="jp-mfns-linkicon" />
              )}
              <span className="jp-mfns-linktext">{text}</span>
            </button>
            {link.state === 'linked' && link.message && (
              <div className="jp-mfns-linkmessage" role="alert">
                Kernel: {link.message}
              </div>
            )}
          </div>
        );
      }}
    </UseSignal>
  );
}
