/** The tab registry: requests become a kind's arguments, one tab per key. */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  ITabKind,
  pathspecArg,
  stringListArg,
  TabArgs,
  TabRegistry
} from '../src/tabs/registry';
import { parseCompareArgs } from '../src/tabs/compareArgs';
import { SharedModels } from '../src/tabs/shared';

type RunArgs = TabArgs & { pathspec: string };

const runKind: ITabKind<RunArgs> = {
  kind: 'run',
  label: 'Run',
  parse: request => {
    const ps = pathspecArg(request, [2], 'run');
    return typeof ps === 'string' ? ps : { pathspec: ps.pathspec };
  },
  title: args => ({ label: args.pathspec, caption: args.pathspec }),
  create: () => {
    throw new Error('not in these tests');
  }
};

test('a request takes the given namespace, or the current one when it names none', () => {
  const registry = new TabRegistry();
  registry.add(runKind);
  const given = registry.resolve(
    { kind: 'run', pathspec: ' F/1 ', namespace: null },
    'user:anne'
  );
  const current = registry.resolve(
    { kind: 'run', pathspec: 'F/1' },
    'user:anne'
  );
  assert.ok(typeof given !== 'string' && typeof current !== 'string');
  assert.deepEqual(given.args, {
    kind: 'run',
    pathspec: 'F/1',
    namespace: null
  });
  assert.equal(current.args.namespace, 'user:anne');
  assert.equal(
    TabRegistry.tabKey(given.kind, given.args),
    TabRegistry.tabKey(current.kind, current.args)
  );
});

test('bad requests are told in words: unknown, reserved or malformed', () => {
  const registry = new TabRegistry();
  registry.add(runKind);
  assert.match(
    String(registry.resolve({ kind: 'nope' }, null)),
    /no Metaflow view/
  );
  registry.add({
    ...runKind,
    kind: 'compare',
    parse: parseCompareArgs as unknown as typeof runKind.parse
  });
  assert.match(
    String(registry.resolve({ kind: 'compare', runs: ['F/1'] }, null)),
    /Compare 2 to 8 runs, not 1/
  );
  assert.match(
    String(registry.resolve({ kind: 'run', pathspec: 'F/1/s/2' }, null)),
    /not the pathspec of a run/
  );
  assert.match(
    String(registry.resolve({ kind: 'run' }, null)),
    /Give the pathspec/
  );
  assert.throws(() => registry.add(runKind), /already registered/);
});

test('list arguments come as a list or a single string', () => {
  assert.deepEqual(stringListArg({ tags: 'a' }, 'tags'), ['a']);
  assert.deepEqual(stringListArg({ tags: ['a', 1, 'b'] }, 'tags'), ['a', 'b']);
  assert.deepEqual(stringListArg({}, 'tags'), []);
});

test('a shared model lives while a tab holds it, and is disposed with the last', () => {
  const models = new SharedModels();
  let created = 0;
  let disposed = 0;
  const make = () => {
    created += 1;
    return { isDisposed: false, dispose: () => void (disposed += 1) };
  };
  const first = models.acquire('task F/1/s/2', make);
  const second = models.acquire('task F/1/s/2', make);
  assert.equal(first.model, second.model);
  assert.equal(created, 1);
  first.dispose();
  assert.equal(disposed, 0);
  second.dispose();
  assert.equal(disposed, 1);
  assert.equal(models.size, 0);
  models.acquire('task F/1/s/2', make);
  assert.equal(created, 2);
});
