// The few TensorFlow protobuf messages an event file holds (tensorflow/core/util/event.proto,
// framework/summary.proto, graph.proto, node_def.proto, attr_value.proto, tensor_shape.proto: field
// numbers and types only), encoded by protobufjs.
import protobuf from 'protobufjs/light.js';

const SCHEMA = {
  nested: {
    Event: {
      fields: {
        wallTime: { type: 'double', id: 1 },
        step: { type: 'int64', id: 2 },
        fileVersion: { type: 'string', id: 3 },
        graphDef: { type: 'bytes', id: 4 },
        summary: { type: 'Summary', id: 5 },
      },
    },
    Summary: { fields: { value: { rule: 'repeated', type: 'Value', id: 1 } } },
    Value: {
      fields: {
        tag: { type: 'string', id: 1 },
        simpleValue: { type: 'float', id: 2 },
        histo: { type: 'HistogramProto', id: 5 },
      },
    },
    HistogramProto: {
      fields: {
        min: { type: 'double', id: 1 },
        max: { type: 'double', id: 2 },
        num: { type: 'double', id: 3 },
        sum: { type: 'double', id: 4 },
        sumSquares: { type: 'double', id: 5 },
        bucketLimit: { rule: 'repeated', type: 'double', id: 6, options: { packed: true } },
        bucket: { rule: 'repeated', type: 'double', id: 7, options: { packed: true } },
      },
    },
    GraphDef: { fields: { node: { rule: 'repeated', type: 'NodeDef', id: 1 }, versions: { type: 'VersionDef', id: 4 } } },
    VersionDef: { fields: { producer: { type: 'int32', id: 1 } } },
    NodeDef: {
      fields: {
        name: { type: 'string', id: 1 },
        op: { type: 'string', id: 2 },
        input: { rule: 'repeated', type: 'string', id: 3 },
        attr: { keyType: 'string', type: 'AttrValue', id: 5 },
      },
    },
    AttrValue: {
      fields: {
        list: { type: 'AttrList', id: 1 },
        s: { type: 'bytes', id: 2 },
        type: { type: 'int32', id: 6 },
        shape: { type: 'TensorShapeProto', id: 7 },
      },
    },
    AttrList: { fields: { shape: { rule: 'repeated', type: 'TensorShapeProto', id: 7 } } },
    TensorShapeProto: { fields: { dim: { rule: 'repeated', type: 'Dim', id: 2 } } },
    Dim: { fields: { size: { type: 'int64', id: 1 } } },
  },
};

/** A TensorShapeProto: one size per axis. */
export interface ShapeProto {
  dim: { size: number }[];
}

/** An AttrValue: the few kinds the graph writer uses. */
export interface AttrValueProto {
  list?: { shape: ShapeProto[] };
  s?: Uint8Array;
  /** A TensorFlow DataType enum value. */
  type?: number;
  shape?: ShapeProto;
}

export interface NodeDefProto {
  name: string;
  op: string;
  input: string[];
  attr: Record<string, AttrValueProto>;
}

export interface GraphDefProto {
  node: NodeDefProto[];
  versions: { producer: number };
}

export interface HistogramProto {
  min: number;
  max: number;
  num: number;
  sum: number;
  sumSquares: number;
  /** Right edge of each bucket. */
  bucketLimit: number[];
  /** Count in each bucket. */
  bucket: number[];
}

export interface SummaryValue {
  tag: string;
  simpleValue?: number;
  histo?: HistogramProto;
}

export interface EventProto {
  wallTime: number;
  step?: number;
  fileVersion?: string;
  graphDef?: Uint8Array;
  summary?: { value: SummaryValue[] };
}

let root: protobuf.Root | null = null;
const typeOf = (name: string) => (root ??= protobuf.Root.fromJSON(SCHEMA)).lookupType(name);

/** The wire bytes of one Event. */
export function encodeEvent(event: EventProto): Uint8Array {
  const t = typeOf('Event');
  return t.encode(t.fromObject(event)).finish();
}

/** The wire bytes of one GraphDef. */
export function encodeGraphDef(graph: GraphDefProto): Uint8Array {
  const t = typeOf('GraphDef');
  return t.encode(t.fromObject(graph)).finish();
}
