import * as React from 'react';

import { cardLabel } from '../models/cardChoice';
import type { CardsModel } from '../models/cards';
import type { ICard } from '../types';
import { ActionsContext } from './actions';
import { CardFrame } from './CardFrame';
import { Loading, Problem } from './Problem';

/** "blank card "model_report"", for tooltips. */
export function cardDescription(card: Pick<ICard, 'type' | 'id'>): string {
  return card.id ? `${card.type} card "${card.id}"` : `${card.type} card`;
}

/** A strip with one tab per card (arrow keys move between them, as WAI-ARIA tabs do). */
function CardStrip(props: {
  cards: readonly ICard[];
  selected: string | undefined;
  onSelect: (hash: string) => void;
}): JSX.Element {
  const { cards, selected, onSelect } = props;
  const onKeyDown = (event: React.KeyboardEvent) => {
    const step =
      event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
    const at = cards.findIndex(c => c.hash === selected);
    if (step && at >= 0) {
      event.preventDefault();
      onSelect(cards[(at + step + cards.length) % cards.length].hash);
    }
  };
  return (
    <div
      className="jp-mfns-tabs jp-mfns-cardstrip"
      role="tablist"
      aria-label="Cards"
      onKeyDown={onKeyDown}
    >
      {cards.map(card => (
        <button
          key={card.hash}
          role="tab"
          aria-selected={card.hash === selected}
          tabIndex={card.hash === selected ? 0 : -1}
          className={`jp-mfns-tab${card.hash === selected ? ' jp-mod-current' : ''}`}
          data-hash={card.hash}
          title={cardDescription(card)}
          onClick={() => onSelect(card.hash)}
        >
          {cardLabel(card)}
        </button>
      ))}
    </div>
  );
}

/** A task's cards in its view: a tab per card, the chosen one in a sandboxed frame. */
export function CardsPanel(props: { cards: CardsModel }): JSX.Element {
  const { cards } = props;
  const actions = React.useContext(ActionsContext);
  if (!cards.cards) {
    return cards.problem ? (
      <Problem problem={cards.problem} />
    ) : (
      <Loading what="Looking for cards…" />
    );
  }
  if (cards.cards.length === 0) {
    return (
      <p className="jp-mfns-empty jp-mfns-cards-none">
        This task made no card. A step decorated with <code>@card</code> makes
        one (see Metaflow's docs, "Visualizing Results").
      </p>
    );
  }
  const selected = cards.selected;
  const card = selected?.card ?? null;
  return (
    <div className="jp-mfns-cards">
      <div className="jp-mfns-cards-head">
        <CardStrip
          cards={cards.cards}
          selected={selected?.choice.hash}
          onSelect={hash => cards.select(hash)}
        />
        {card && (
          <button
            className="jp-mfns-link jp-mfns-card-open"
            title="Open this card in its own tab"
            onClick={() =>
              void actions.open({
                kind: 'card',
                pathspec: cards.pathspec,
                hash: card.hash
              })
            }
          >
            Open in a tab
          </button>
        )}
      </div>
      {selected && (
        <CardFrame
          key={selected.choice.hash}
          card={selected}
          title={`${card ? cardDescription(card) : 'Card'} of ${cards.pathspec}`}
        />
      )}
    </div>
  );
}
