// The few TensorFlow protobuf messages an event file holds (tensorflow/core/util/event.proto and
// framework/summary.proto: field numbers and types only), encoded by protobufjs.
import protobuf from 'protobufjs/light.js';

const SCHEMA = {
  nested: {
    Event: {
      fields: {
        wallTime: { type: 'double', id: 1 },
        step: { type: 'int64', id: 2 },
        fileVersion: { type: 'string', id: 3 },
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
  },
};

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
  summary?: { value: SummaryValue[] };
}

let eventType: protobuf.Type | null = null;

/** The wire bytes of one Event. */
export function encodeEvent(event: EventProto): Uint8Array {
  eventType ??= protobuf.Root.fromJSON(SCHEMA).lookupType('Event');
  return eventType.encode(eventType.fromObject(event)).finish();
}
