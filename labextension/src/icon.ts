import { LabIcon } from '@jupyterlab/ui-components';

/** A flow: three steps joined as a DAG, in the theme's icon colour. */
const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g fill="none">
    <path class="jp-icon3" stroke="#616161" stroke-width="1.8" stroke-linecap="round"
      d="M6 12 L18 5.5 M6 12 L18 18.5"/>
  </g>
  <circle class="jp-icon3" fill="#616161" cx="5" cy="12" r="3"/>
  <circle class="jp-icon3" fill="#616161" cx="19" cy="5" r="3"/>
  <circle class="jp-icon3" fill="#616161" cx="19" cy="19" r="3"/>
</svg>`;

/** The Metaflow panel's icon. */
export const metaflowIcon = new LabIcon({
  name: 'jupyter-mfns:metaflow',
  svgstr: svg
});
