/** Where each step of a run's graph goes: a layered layout by dagre (`@dagrejs/dagre`). */
import dagre from '@dagrejs/dagre';

import type { IDagStep } from '../../types';

export const NODE_WIDTH = 212; // "succeeded · 1,000 tasks · 12.5 min" fits
export const NODE_HEIGHT = 58;

export interface IPlacedStep {
  step: IDagStep;
  /** Top-left corner. */
  x: number;
  y: number;
  /** Fans out (a foreach's body, a parallel step): drawn as a stack of cards. */
  fanned: boolean;
}

export interface IPlacedEdge {
  from: string;
  to: string;
  points: { x: number; y: number }[];
}

export interface IDagLayout {
  steps: IPlacedStep[];
  edges: IPlacedEdge[];
  width: number;
  height: number;
}

const SPLITS_THAT_FAN = ['split-foreach', 'split-parallel'];

/** Lay out the steps top to bottom, edges routed around the cards. */
export function layoutDag(steps: readonly IDagStep[]): IDagLayout {
  const graph = new dagre.graphlib.Graph();
  graph.setGraph({
    rankdir: 'TB',
    nodesep: 28,
    ranksep: 36,
    marginx: 8,
    marginy: 8
  });
  graph.setDefaultEdgeLabel(() => ({}));
  const known = new Set(steps.map(s => s.name));
  const fanned = new Set<string>();
  for (const step of steps) {
    graph.setNode(step.name, { width: NODE_WIDTH, height: NODE_HEIGHT });
    if (SPLITS_THAT_FAN.includes(step.type)) {
      step.next.forEach(n => fanned.add(n));
    }
  }
  for (const step of steps) {
    for (const next of step.next) {
      if (known.has(next)) {
        graph.setEdge(step.name, next);
      }
    }
  }
  dagre.layout(graph);
  const placed = steps.map(step => {
    const node = graph.node(step.name);
    return {
      step,
      x: node.x - NODE_WIDTH / 2,
      y: node.y - NODE_HEIGHT / 2,
      fanned: fanned.has(step.name)
    };
  });
  const edges = graph.edges().map(e => ({
    from: e.v,
    to: e.w,
    points: graph.edge(e).points ?? []
  }));
  const { width = 0, height = 0 } = graph.graph();
  return { steps: placed, edges, width, height };
}
