/** Which card of a task to show (pure: no requests). */
import type { ICard } from '../types';

/** Which card of a task: by hash, else by type and id (`id: null`: one without id). */
export interface ICardChoice {
  hash?: string;
  type?: string;
  id?: string | null;
}

/** The card matching a choice, in `get_cards` order (no choice: the first). */
export function pickCard(
  cards: readonly ICard[],
  choice: ICardChoice
): ICard | undefined {
  if (choice.hash) {
    return cards.find(c => c.hash === choice.hash);
  }
  return cards.find(
    c =>
      (choice.type === undefined || c.type === choice.type) &&
      (choice.id === undefined || c.id === choice.id)
  );
}

/** "model_report", or the type for a card without id. */
export function cardLabel(card: Pick<ICard, 'type' | 'id'>): string {
  return card.id ?? card.type;
}

/** Which card was wanted, in words (for "has no ... card"). */
export function choiceLabel(choice: ICardChoice): string {
  if (choice.hash) {
    return `card ${choice.hash.slice(0, 8)}`;
  }
  const kind = choice.type ? `${choice.type} ` : '';
  return choice.id ? `${kind}card "${choice.id}"` : `${kind}card`;
}
