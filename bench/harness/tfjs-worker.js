// make bench only: TensorFlow.js 4 trains the workload that `lethe export` wrote (Lethe's split and initial
// weights) with the same layers, optimiser, learning rate, batch size and epochs, and times `fit`.
importScripts('/tfjs/tfjs/dist/tf.min.js');

function build(e, exported) {
  const m = e.model;
  const model = tf.sequential();
  const k = exported.n_classes;
  const d = exported.n_features;
  if (m.kind === 'cnn') {
    const side = exported.image_side;
    model.add(tf.layers.reshape({ targetShape: [side, side, 1], inputShape: [d] }));
    // Lethe's CNN: two 3×3 convolutions (16 and 32 filters, padding 1), a 2×2 max-pool, a linear head.
    model.add(tf.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', activation: m.activation }));
    model.add(tf.layers.conv2d({ filters: 32, kernelSize: 3, padding: 'same', activation: m.activation }));
    model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
    model.add(tf.layers.flatten());
  } else if (m.kind === 'mlp') {
    for (let i = 0; i < m.layers; i++) {
      model.add(tf.layers.dense(i === 0 ? { units: m.width, activation: m.activation, inputShape: [d] } : { units: m.width, activation: m.activation }));
    }
  } else if (m.kind !== 'logistic') throw new Error(`model.kind ${m.kind} has no TensorFlow.js counterpart here`);
  model.add(tf.layers.dense(model.layers.length ? { units: k } : { units: k, inputShape: [d] }));
  return model;
}

onmessage = async ({ data: { exported, backend } }) => {
  try {
    const started = performance.now();
    if (backend === 'wasm') {
      importScripts('/tfjs/tfjs-backend-wasm/dist/tf-backend-wasm.min.js');
      tf.wasm.setWasmPaths('/tfjs/tfjs-backend-wasm/dist/');
    }
    if (backend === 'webgpu') importScripts('/tfjs/tfjs-backend-webgpu/dist/tf-backend-webgpu.min.js');
    if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} did not start`);
    await tf.ready();
    const readyMs = performance.now() - started;
    const e = exported.experiment;
    const d = exported.n_features;
    const model = build(e, exported);
    model.setWeights(exported.initial_weights.map((w) => tf.tensor(w.values, w.shape)));
    const t = e.train;
    const optimizer = t.optimizer === 'adam' ? tf.train.adam(t.learning_rate, 0.9, 0.999) : tf.train.momentum(t.learning_rate, t.momentum);
    // Softmax cross-entropy on logits, as Lethe computes it (targets one-hot).
    model.compile({ optimizer, loss: (y, logits) => tf.losses.softmaxCrossEntropy(y, logits) });
    const xs = (s) => tf.tensor2d(s.x, [s.rows, d]);
    const yTrain = tf.oneHot(tf.tensor1d(exported.train.y, 'int32'), exported.n_classes).toFloat();
    const [xTrain, xTest] = [xs(exported.train), xs(exported.test)];
    let steps = 0;
    let firstEpoch = null;
    const fitStarted = performance.now();
    await model.fit(xTrain, yTrain, {
      epochs: t.epochs, batchSize: t.batch_size, shuffle: true, verbose: 0,
      callbacks: {
        onBatchEnd: () => { steps += 1; },
        onEpochEnd: (epoch) => { if (epoch === 0) firstEpoch = (performance.now() - fitStarted) / 1000; },
      },
    });
    const seconds = (performance.now() - fitStarted) / 1000;
    const accuracy = (x, labels) => tf.tidy(() => {
      const predicted = model.predict(x).argMax(-1).dataSync();
      let right = 0;
      for (let i = 0; i < labels.length; i++) right += predicted[i] === labels[i] ? 1 : 0;
      return right / labels.length;
    });
    postMessage({
      backend: tf.getBackend(), ready_ms: readyMs, seconds, first_epoch_seconds: firstEpoch, steps,
      train_acc: accuracy(xTrain, exported.train.y), test_acc: accuracy(xTest, exported.test.y),
    });
  } catch (err) {
    postMessage({ error: String(err && err.message ? err.message : err) });
  }
};
