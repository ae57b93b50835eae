import * as React from 'react';

import type { IRun } from '../../types';
import { valueKind, valueText } from './values';

/** A run's parameters: name, value, type; opaque ones say why they show no value. */
export function ParamsTable(props: { run: IRun }): JSX.Element {
  const { run } = props;
  const names = [...Object.keys(run.parameters), ...run.opaque_parameters];
  if (names.length === 0) {
    return <div className="jp-mfns-empty">This run has no parameters.</div>;
  }
  return (
    <table
      className="jp-mfns-table jp-mfns-params-table"
      aria-label="parameters"
    >
      <thead>
        <tr>
          <th scope="col">Parameter</th>
          <th scope="col">Value</th>
          <th scope="col">Type</th>
        </tr>
      </thead>
      <tbody>
        {names.map(name => {
          const opaque = run.opaque_parameters.includes(name);
          const value = run.parameters[name];
          const text = opaque ? '' : valueText(value);
          return (
            <tr key={name} data-parameter={name}>
              <th scope="row" className="jp-mfns-mono" title={name}>
                {name}
              </th>
              <td
                className={`jp-mfns-mono jp-mfns-value jp-mfns-value-${
                  opaque ? 'opaque' : valueKind(value)
                }`}
                title={
                  opaque
                    ? 'Not decoded: reading it would mean unpickling it (load it in a notebook)'
                    : text
                }
              >
                {opaque ? 'opaque (not unpickled)' : text}
              </td>
              <td className="jp-mfns-type" title={run.parameter_types[name]}>
                {run.parameter_types[name] ?? '—'}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
