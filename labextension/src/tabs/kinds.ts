/**
 * Every kind of main-area tab, registered in this one list. A new kind: write
 * tabs/<kind>Tab.tsx exporting an `ITabKind`, and add it here.
 */
import { cardKind } from './cardTab';
import { compareKind } from './compareTab';
import { logKind } from './logTab';
import type { TabRegistry } from './registry';
import { runKind } from './runTab';
import { runsKind } from './runsTab';
import { taskKind } from './taskTab';

export function registerKinds(registry: TabRegistry): void {
  registry.add(runsKind);
  registry.add(runKind);
  registry.add(taskKind);
  registry.add(logKind);
  registry.add(cardKind);
  registry.add(compareKind);
}
