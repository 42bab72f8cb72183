// Runs network.onnx of a folder under onnxruntime-node on the arrays of inputs.json and writes
// outputs.json (each output's type, shape and base64 bytes). Driven by reference.py.
const fs = require('fs');
const path = require('path');
const ort = require('onnxruntime-node');

const arrayTypes = {float32: Float32Array, int8: Int8Array, uint8: Uint8Array, int32: Int32Array, int64: BigInt64Array};

async function main(folder) {
  const session = await ort.InferenceSession.create(path.join(folder, 'network.onnx'));
  const given = JSON.parse(fs.readFileSync(path.join(folder, 'inputs.json')));
  const feeds = {};
  session.inputNames.forEach((name, i) => {
    const input = given[i];
    const bytes = Buffer.from(input.data, 'base64');
    const values = new arrayTypes[input.type](bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
    feeds[name] = new ort.Tensor(input.type, values, input.shape);
  });
  const results = await session.run(feeds);
  const outputs = session.outputNames.map((name) => {
    const t = results[name];
    return {type: t.type, shape: t.dims, data: Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).toString('base64')};
  });
  fs.writeFileSync(path.join(folder, 'outputs.json'), JSON.stringify(outputs));
}

main(process.argv[2]).catch((e) => { console.error(e.message); process.exit(1); });
