import { LabIcon } from '@jupyterlab/ui-components';

/**
 * Our own drawing after Metaflow's mark (a ribbon folded into an "M"): two folds, the
 * second lighter, in the theme's icon colour so it suits light and dark themes.
 */
const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g fill="none" stroke-linecap="round" stroke-linejoin="round" stroke-width="3.2">
    <path class="jp-icon3" stroke="#616161" d="M3.5 19 L8.5 5 L12 12.5"/>
    <path class="jp-icon3" stroke="#616161" stroke-opacity="0.55" d="M12 12.5 L15.5 5 L20.5 19"/>
  </g>
</svg>`;

/** The Metaflow panel's icon. */
export const metaflowIcon = new LabIcon({
  name: 'jupyter-mfns:metaflow',
  svgstr: svg
});
