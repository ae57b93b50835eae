import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';

/** The jupyter-mfns sidebar plugin. */
const plugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyter-mfns:plugin',
  description: 'Browse Metaflow results by namespace and tags.',
  autoStart: true,
  activate: (app: JupyterFrontEnd) => {
    void app;
  }
};

export default plugin;
