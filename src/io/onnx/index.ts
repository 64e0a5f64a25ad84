/**
 * `nb.onnx`: ONNX models in and out. `load` turns an .onnx file into nabla ops (jit-able,
 * differentiable, on every backend); `save` writes a Keras-style model as ONNX.
 * @module
 */
import { readFileBytes, writeFileAtomic } from '../atomic-file.js';
import { fetchBytes, isHttpUrl, pageUrl } from '../fetch-bytes.js';
import { exportOnnxBytes, type Exportable, type OnnxSaveOptions } from './export/to-onnx.js';
import { OnnxGraph } from './onnx-graph.js';
import { OnnxModel } from './onnx-model.js';
import { decodeModelProto } from './proto.js';

export { OnnxModel, type OnnxFeeds } from './onnx-model.js';
export { OnnxLayer } from './onnx-layer.js';
export type { OnnxInputSpec } from './onnx-graph.js';
export type { Exportable, OnnxSaveOptions } from './export/to-onnx.js';

/** An ONNX model from the bytes of an .onnx file; unsupported operators fail here, naming the op and node. */
export function fromBytes(bytes: Uint8Array, source = 'the ONNX bytes'): OnnxModel {
  const proto = decodeModelProto(bytes, source);
  const producer = [proto.producerName, proto.producerVersion].filter(Boolean).join(' ');
  return new OnnxModel(new OnnxGraph(proto, source), producer);
}

/** Load an ONNX model from a file path (Node), an http(s) URL (fetched; in a page, a relative path too) or its bytes. */
export async function load(pathOrBytes: string | URL | Uint8Array | ArrayBuffer): Promise<OnnxModel> {
  if (pathOrBytes instanceof URL) pathOrBytes = pathOrBytes.href;
  if (typeof pathOrBytes === 'string') {
    const url = isHttpUrl(pathOrBytes) ? new URL(pathOrBytes) : pageUrl(pathOrBytes);
    if (url) return fromBytes(await fetchBytes(url.href, 'onnx.load'), url.href);
    return fromBytes(await readFileBytes(pathOrBytes, 'onnx.load'), `'${pathOrBytes}'`);
  }
  return fromBytes(pathOrBytes instanceof Uint8Array ? pathOrBytes : new Uint8Array(pathOrBytes));
}

/** The bytes of an .onnx file (opset 17) for a Keras-style model or a function of tensors, traced at `inputShapes`. */
export function toBytes(model: Exportable, opts: OnnxSaveOptions = {}): Uint8Array {
  return exportOnnxBytes(model, opts);
}

/** Write `model` as an .onnx file (Node), atomically. */
export async function save(model: Exportable, path: string, opts: OnnxSaveOptions = {}): Promise<void> {
  await writeFileAtomic(path, exportOnnxBytes(model, opts), 'onnx.save');
}
