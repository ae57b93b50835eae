/**
 * Readable names for the JSON shapes of the jupyter_mfns REST API.
 *
 * The shapes themselves are generated from the shipped OpenAPI document
 * (`npm run gen:types` writes `generated/api.ts` from `jupyter_mfns/server/openapi.yaml`);
 * nothing here restates a field. Times are epoch milliseconds (UTC); a namespace is a
 * string, or `null` for the global namespace.
 */
import type { components } from './generated/api';

type Schemas = components['schemas'];
type Item<T> = T extends readonly (infer U)[] ? U : never;

/** A Metaflow namespace: a tag string, or `null` for the global namespace. */
export type Namespace = Schemas['Namespace'];

export type Status = Schemas['RunStatus'];
export type LogStream = Schemas['Logs']['stream'];

/** One run, as `Run(pathspec)` describes it. */
export type IRun = Schemas['Run'];
export type IStep = Schemas['Step'];
export type ITask = Schemas['Task'];

export type INamespaces = Schemas['Namespaces'];
/** A namespace present in the store: a tag carried by at least one run. */
export type INamespaceEntry = Item<INamespaces['namespaces']>;
export type NamespaceKind = INamespaceEntry['kind'];

export type IFlows = Schemas['Flows'];
export type IFlow = Item<IFlows['flows']>;

export type IRunPage = Schemas['RunPage'];
export type ITags = Schemas['Tags'];
export type ITagCount = Item<ITags['tags']>;

type ObjectBase = Pick<Schemas['Object'], 'pathspec' | 'namespace'>;

/**
 * `GET object`: the object, its enclosing run and its children. The document states
 * each field on its own; which ones are null follows from `type`, as here.
 */
export type IObject =
  | (ObjectBase & {
      type: 'flow';
      run: null;
      step: null;
      task: null;
      children: IRun[];
    })
  | (ObjectBase & {
      type: 'run';
      run: IRun;
      step: null;
      task: null;
      children: IStep[];
    })
  | (ObjectBase & {
      type: 'step';
      run: IRun;
      step: IStep;
      task: null;
      children: ITask[];
    })
  | (ObjectBase & {
      type: 'task';
      run: IRun;
      step: IStep;
      task: ITask;
      children: [];
    });
export type ObjectType = IObject['type'];

export type ILogLine = Item<Schemas['Logs']['lines']>;
export type ILogs = Schemas['Logs'];

/** Why a failed run failed (`RUN.failure`). */
export type IFailure = Schemas['Failure'];
export type IDag = Schemas['Dag'];
export type IDagStep = Schemas['DagStep'];
export type DagStatus = IDagStep['status'];
export type ITasksPage = Schemas['TasksPage'];
/** A task in `GET tasks`, with its attempts (the timeline). */
export type ITimelineTask = Schemas['TimelineTask'];
export type IAttempt = Schemas['Attempt'];

export type IArtifacts = Schemas['Artifacts'];
export type IArtifact = Item<IArtifacts['artifacts']>;

/** A task's cards (`@card`), as `metaflow.cards.get_cards(task)` lists them. */
export type ICards = Schemas['Cards'];
export type ICard = Item<ICards['cards']>;
/** A card's latest live data and its task's status. */
export type ICardData = Schemas['CardData'];

/** `GET compare`: runs side by side, each row with `differs`. */
export type ICompare = Schemas['Compare'];
export type ICompareRow = Schemas['CompareRow'];
export type ICompareParameter = Schemas['CompareParameter'];
export type ICompareStep = Schemas['CompareStep'];
export type ICompareArtifact = Schemas['CompareArtifact'];
export type ICompareCell = Schemas['CompareCell'];

export type ITagMutationRequest = Schemas['TagMutationRequest'];
export type ITagMutation = Schemas['TagMutation'];

export type IServerStatus = Schemas['ServerStatus'];
/** What one request may ask for on this server. */
export type ILimits = IServerStatus['limits'];

/** Body of a 4xx answer (`namespace_mismatch` also names the owners). */
export type IErrorBody = Schemas['Error'] &
  Partial<Omit<Schemas['NamespaceMismatchError'], 'reason' | 'message'>>;
