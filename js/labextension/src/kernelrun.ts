/**
 * Run a short piece of Python in a kernel of its own and return what it printed.
 *
 * The kernel starts without a path, so its working directory is the server's root: the course
 * directory setting is relative to it, as in the file browser.
 */

import { KernelMessage, ServiceManager } from '@jupyterlab/services';

export async function runInFreshKernel(
  services: ServiceManager.IManager,
  code: string
): Promise<string> {
  await services.kernelspecs.ready;
  const name = services.kernelspecs.specs?.default ?? 'python3';
  const kernel = await services.kernels.startNew({ name });
  try {
    let stdout = '';
    let error = '';
    const future = kernel.requestExecute({ code, silent: false, store_history: false });
    future.onIOPub = (message: KernelMessage.IIOPubMessage) => {
      if (KernelMessage.isStreamMsg(message) && message.content.name === 'stdout') {
        stdout += message.content.text;
      } else if (KernelMessage.isErrorMsg(message)) {
        error = `${message.content.ename}: ${message.content.evalue}`;
      }
    };
    await future.done;
    if (error) {
      throw new Error(error);
    }
    return stdout;
  } finally {
    await kernel.shutdown();
  }
}
