/**
 * The "card" tab: a task's card on its own, or the same card of several tasks side by side.
 *
 *   mfns:open {kind: 'card', pathspec: 'F/12/train/3', hash?, type?, id?}
 *   mfns:open {kind: 'card', tasks: ['F/12/train/3', 'F/13/train/7'], type?, id?}
 *
 * Without `hash`, the card is the task's first with that `type` and `id` (both optional).
 * Side by side, the first task's card decides what the others show (its type and id), so
 * e.g. the `train` step's `model_report` card of two runs sit next to each other.
 */
import * as React from 'react';

import { CardFrame } from '../components/CardFrame';
import { cardDescription } from '../components/CardsPanel';
import { ActionsContext } from '../components/actions';
import { StatusIcon } from '../components/Status';
import { Activity } from '../models/activity';
import { CardModel } from '../models/card';
import { namespaceLabel } from '../namespaces';
import {
  CardArgs,
  cardKey,
  cardTitle,
  choiceOf,
  parseCardArgs,
  taskList
} from './cardArgs';
import type { ITabKind } from './registry';
import { TabView } from './view';

/** Load the first card, then the others with its type and id. */
async function loadSideBySide(models: CardModel[]): Promise<void> {
  const [first, ...rest] = models;
  await first.load();
  const card = first.card;
  for (const model of rest) {
    if (card && !model.choice.hash) {
      model.choice = { type: card.type, id: card.id };
    }
  }
  await Promise.all(rest.map(m => m.load()));
}

/** One column: which task (a link to its tab), its status, its card. */
function CardColumn(props: { card: CardModel }): JSX.Element {
  const { card } = props;
  const actions = React.useContext(ActionsContext);
  const info = card.card;
  return (
    <section className="jp-mfns-cardcolumn" data-pathspec={card.pathspec}>
      <header className="jp-mfns-cardcolumn-head">
        {card.status && <StatusIcon status={card.status} />}
        <button
          className="jp-mfns-link jp-mfns-mono"
          title={`Open task ${card.pathspec}`}
          onClick={() =>
            void actions.open({ kind: 'task', pathspec: card.pathspec })
          }
        >
          {card.pathspec}
        </button>
        {info && (
          <span className="jp-mfns-cardcolumn-what">
            {cardDescription(info)}
          </span>
        )}
      </header>
      <CardFrame
        card={card}
        title={`${info ? cardDescription(info) : 'Card'} of ${card.pathspec}`}
      />
    </section>
  );
}

function CardColumns(props: { cards: CardModel[] }): JSX.Element {
  return (
    <div
      className="jp-mfns-cardcolumns"
      style={
        { '--jp-mfns-card-columns': props.cards.length } as React.CSSProperties
      }
    >
      {props.cards.map(card => (
        <CardColumn key={card.pathspec} card={card} />
      ))}
    </div>
  );
}

export const cardKind: ITabKind<CardArgs> = {
  kind: 'card',
  label: 'Metaflow Card',
  prompt: { label: 'Task pathspec', placeholder: 'PredictionFlow/12/train/3' },
  parse: parseCardArgs,
  key: cardKey,
  pathspecs: args => taskList(args),
  title: args => ({
    label: cardTitle(args),
    caption: `${args.tasks ? 'Cards' : 'Card'} of ${taskList(args).join(', ')}\nin ${namespaceLabel(args.namespace)}`
  }),
  create: (args, context) => {
    const activity = new Activity();
    const models = taskList(args).map(
      pathspec =>
        new CardModel({
          pathspec,
          namespace: args.namespace,
          choice: choiceOf(args),
          activity
        })
    );
    void loadSideBySide(models);
    return new TabView({
      className: args.tasks
        ? 'jp-mfns-cardtab jp-mod-side-by-side'
        : 'jp-mfns-cardtab',
      actions: context.actions,
      activity,
      signals: models.map(m => m.changed),
      render: () => <CardColumns cards={models} />,
      refresh: () => {
        for (const model of models) {
          model.choice = choiceOf(args);
        }
        void loadSideBySide(models);
      },
      resources: models
    });
  }
};
