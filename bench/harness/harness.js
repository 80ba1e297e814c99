// make bench only: two ways to train the same workload in a Web Worker, timed the same way.
//   runLethe: Lethe's engine worker (the files the page loads), driven through its JSON protocol as the page
//             drives it (prepare, then train), with no page drawing anything: the fair counterpart of `fit`.
//   runTf:    TensorFlow.js 4 (`tfjs-worker.js`) on one of its backends, from Lethe's exported split and weights.
// Each returns what the bench compares: training seconds, optimiser steps, training and test accuracy.

/** Trains `experiment` in a fresh Lethe worker (`gpu`: the WebGPU engine) and resolves with the report's figures. */
window.runLethe = (experiment, { gpu = false, protocol }) => new Promise((resolve, reject) => {
  const started = performance.now();
  const name = gpu ? 'lethe-worker-gpu' : 'lethe-worker';
  const url = (f) => new URL(`/${f}`, location.href).href;
  const loader = `importScripts(${JSON.stringify(url(`${name}.js`))});
wasm_bindgen({ module_or_path: ${JSON.stringify(url(`${name}_bg.wasm`))} }).catch((e) => setTimeout(() => { throw e; }));`;
  const worker = new Worker(URL.createObjectURL(new Blob([loader], { type: 'text/javascript' })));
  const send = (command) => worker.postMessage(JSON.stringify(command));
  let readyMs = null;
  let backend = null;
  const fail = (message) => { worker.terminate(); reject(new Error(`Lethe: ${message}`)); };
  worker.onerror = (e) => { e.preventDefault(); fail(e.message || 'the worker crashed'); };
  worker.onmessage = ({ data }) => {
    const event = JSON.parse(data);
    if (event.type === 'loaded') send({ type: 'hello', protocol, backend: gpu ? 'webgpu' : 'cpu', fault: null });
    else if (event.type === 'ready') {
      readyMs = performance.now() - started;
      backend = event.backend;
      // The page's sequence: the dataset first (the page draws it), then the run.
      send({ type: 'prepare', request_id: 1, experiment, csv_text: null });
    } else if (event.type === 'dataset') {
      send({ type: 'run', run_id: 2, experiment, base_run_id: null, csv_text: null });
    } else if (event.type === 'done') {
      worker.terminate();
      const run = event.report.runs[0];
      const last = run.history[run.history.length - 1];
      resolve({
        engine_ready_ms: readyMs,
        backend,
        seconds: run.seconds,
        first_epoch_seconds: run.history[0].elapsed_seconds,
        steps: last.steps,
        train_acc: run.train_acc,
        test_acc: run.test_acc,
      });
    } else if (event.type === 'failed' || event.type === 'start_failed' || event.type === 'rejected') fail(event.message);
  };
});

/** Trains the exported workload with TensorFlow.js on `backend` ('wasm', 'cpu' or 'webgpu') in a fresh worker. */
window.runTf = (exported, backend) => new Promise((resolve, reject) => {
  const worker = new Worker('tfjs-worker.js');
  worker.onerror = (e) => { e.preventDefault(); worker.terminate(); reject(new Error(`TensorFlow.js ${backend}: ${e.message}`)); };
  worker.onmessage = ({ data }) => {
    worker.terminate();
    if (data.error) reject(new Error(`TensorFlow.js ${backend}: ${data.error}`));
    else resolve(data);
  };
  worker.postMessage({ exported, backend });
});
