import * as React from 'react';

import { asReply, ICardDataMessage, SANDBOX } from '../cardProtocol';
import type { CardModel } from '../models/card';
import { ActionsContext } from './actions';
import { Loading, Problem } from './Problem';

/** On screen: connected and rendered (a background tab is `display: none`). */
function isShown(element: HTMLElement | null): boolean {
  if (!element || !element.isConnected) {
    return false;
  }
  const withCheck = element as HTMLElement & {
    checkVisibility?: () => boolean;
  };
  return withCheck.checkVisibility
    ? withCheck.checkVisibility()
    : element.offsetParent !== null;
}

/** "Live" while the task runs; where the card was made when it came with a resume. */
function CardStatus(props: { card: CardModel }): JSX.Element | null {
  const { card } = props;
  const actions = React.useContext(ActionsContext);
  const origin = card.originTask;
  if (!card.live && !origin) {
    return null;
  }
  return (
    <div className="jp-mfns-card-status">
      {card.live && (
        <span
          className="jp-mfns-card-live"
          title="The task runs: the card shows its updates as they come"
        >
          Live
        </span>
      )}
      {origin && (
        <span className="jp-mfns-card-origin">
          Made by{' '}
          <button
            className="jp-mfns-link jp-mfns-mono"
            onClick={() =>
              void actions.open({ kind: 'task', pathspec: origin })
            }
            title="This task was cloned by resume: its card comes from the original run"
          >
            {origin}
          </button>
        </span>
      )}
    </div>
  );
}

/**
 * A card page in a sandboxed frame (`sandbox="allow-scripts"`, never same-origin), fed the
 * card's live data updates through messages (cardProtocol.ts).
 */
export function CardFrame(props: {
  card: CardModel;
  title: string;
}): JSX.Element {
  const { card } = props;
  const frame = React.useRef<HTMLIFrameElement | null>(null);
  const loaded = React.useRef(false);
  const pending = React.useRef<ICardDataMessage | null>(null);
  const page = card.document;

  React.useEffect(() => {
    const post = (message: ICardDataMessage) =>
      frame.current?.contentWindow?.postMessage(message, '*'); // an opaque origin: '*'
    const onUpdate = (_: CardModel, message: ICardDataMessage) => {
      if (loaded.current) {
        post(message);
      } else {
        pending.current = message; // handed over once the page has loaded
      }
    };
    const onMessage = (event: MessageEvent) => {
      // only this frame's page, and only the protocol's replies
      if (frame.current && event.source === frame.current.contentWindow) {
        const reply = asReply(event.data);
        if (reply) {
          card.onReply(reply);
        }
      }
    };
    card.setVisibility(() => isShown(frame.current));
    card.updated.connect(onUpdate);
    window.addEventListener('message', onMessage);
    return () => {
      card.setVisibility(() => false);
      card.updated.disconnect(onUpdate);
      window.removeEventListener('message', onMessage);
    };
  }, [card]);

  React.useEffect(() => {
    loaded.current = false; // a new page is loading
  }, [page]);

  const onLoad = () => {
    loaded.current = true;
    const message = pending.current;
    pending.current = null;
    if (message) {
      frame.current?.contentWindow?.postMessage(message, '*');
    }
  };

  if (!page) {
    return card.problem ? (
      <Problem problem={card.problem} />
    ) : (
      <Loading what="Loading the card…" />
    );
  }
  return (
    <div className="jp-mfns-card">
      <CardStatus card={card} />
      <Problem problem={card.problem} />
      <iframe
        ref={frame}
        className="jp-mfns-card-frame"
        sandbox={SANDBOX}
        srcDoc={page}
        title={props.title}
        onLoad={onLoad}
      />
    </div>
  );
}
