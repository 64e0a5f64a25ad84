"""An independent reader of TensorBoard event files, for the TensorBoard callback's test.

Checks each record's framing (length, masked CRC-32C of the length and of the payload) and decodes
the Event protobuf with Python's protobuf library from a descriptor written here from TensorFlow's
event.proto/summary.proto/graph.proto field numbers. Prints one JSON line per event.
"""
import json
import struct
import sys

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory


def crc32c(data: bytes) -> int:
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def masked(data: bytes) -> int:
    c = crc32c(data)
    return ((((c >> 15) | (c << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF


def event_class():
    f = descriptor_pb2.FileDescriptorProto(name="tb_test.proto", package="tbtest")
    T = descriptor_pb2.FieldDescriptorProto
    def msg(name, fields):
        m = f.message_type.add(name=name)
        for fname, num, ftype, label, tname in fields:
            fd = m.field.add(name=fname, number=num, type=ftype, label=label)
            if tname:
                fd.type_name = ".tbtest." + tname
    opt, rep = T.LABEL_OPTIONAL, T.LABEL_REPEATED
    msg("HistogramProto", [("min", 1, T.TYPE_DOUBLE, opt, None), ("max", 2, T.TYPE_DOUBLE, opt, None),
                           ("num", 3, T.TYPE_DOUBLE, opt, None), ("sum", 4, T.TYPE_DOUBLE, opt, None),
                           ("sum_squares", 5, T.TYPE_DOUBLE, opt, None), ("bucket_limit", 6, T.TYPE_DOUBLE, rep, None),
                           ("bucket", 7, T.TYPE_DOUBLE, rep, None)])
    msg("Value", [("tag", 1, T.TYPE_STRING, opt, None), ("simple_value", 2, T.TYPE_FLOAT, opt, None),
                  ("histo", 5, T.TYPE_MESSAGE, opt, "HistogramProto")])
    msg("Summary", [("value", 1, T.TYPE_MESSAGE, rep, "Value")])
    msg("Event", [("wall_time", 1, T.TYPE_DOUBLE, opt, None), ("step", 2, T.TYPE_INT64, opt, None),
                  ("file_version", 3, T.TYPE_STRING, opt, None), ("graph_def", 4, T.TYPE_BYTES, opt, None),
                  ("summary", 5, T.TYPE_MESSAGE, opt, "Summary")])
    msg("Dim", [("size", 1, T.TYPE_INT64, opt, None), ("name", 2, T.TYPE_STRING, opt, None)])
    msg("TensorShapeProto", [("dim", 2, T.TYPE_MESSAGE, rep, "Dim")])
    msg("ListValue", [("shape", 7, T.TYPE_MESSAGE, rep, "TensorShapeProto")])
    msg("AttrValue", [("list", 1, T.TYPE_MESSAGE, opt, "ListValue"), ("s", 2, T.TYPE_BYTES, opt, None),
                      ("type", 6, T.TYPE_INT32, opt, None), ("shape", 7, T.TYPE_MESSAGE, opt, "TensorShapeProto")])
    # map<string, AttrValue> is a repeated nested entry message on the wire.
    node = f.message_type.add(name="NodeDef")
    for fname, num, ftype, label in [("name", 1, T.TYPE_STRING, opt), ("op", 2, T.TYPE_STRING, opt), ("input", 3, T.TYPE_STRING, rep)]:
        node.field.add(name=fname, number=num, type=ftype, label=label)
    entry = node.nested_type.add(name="AttrEntry")
    entry.options.map_entry = True
    entry.field.add(name="key", number=1, type=T.TYPE_STRING, label=opt)
    entry.field.add(name="value", number=2, type=T.TYPE_MESSAGE, label=opt, type_name=".tbtest.AttrValue")
    node.field.add(name="attr", number=5, type=T.TYPE_MESSAGE, label=rep, type_name=".tbtest.NodeDef.AttrEntry")
    msg("GraphDef", [("node", 1, T.TYPE_MESSAGE, rep, "NodeDef")])
    pool = descriptor_pool.DescriptorPool()
    pool.Add(f)
    def cls(name):
        desc = pool.FindMessageTypeByName("tbtest." + name)
        if hasattr(message_factory, "GetMessageClass"):
            return message_factory.GetMessageClass(desc)
        return message_factory.MessageFactory(pool).GetPrototype(desc)
    return cls("Event"), cls("GraphDef")


def main(path: str) -> None:
    Event, GraphDef = event_class()
    data = open(path, "rb").read()
    at = 0
    while at < len(data):
        header = data[at:at + 8]
        (length,) = struct.unpack("<Q", header)
        (length_crc,) = struct.unpack("<I", data[at + 8:at + 12])
        if masked(header) != length_crc:
            raise SystemExit(f"bad length CRC at byte {at}")
        payload = data[at + 12:at + 12 + length]
        (payload_crc,) = struct.unpack("<I", data[at + 12 + length:at + 16 + length])
        if masked(payload) != payload_crc:
            raise SystemExit(f"bad payload CRC at byte {at}")
        at += 16 + length
        e = Event()
        e.ParseFromString(payload)
        out = {"wall_time": e.wall_time, "step": e.step}
        if e.file_version:
            out["file_version"] = e.file_version
        if e.graph_def:
            g = GraphDef()
            g.ParseFromString(e.graph_def)
            out["graph"] = [{"name": n.name, "op": n.op, "input": list(n.input),
                             "shapes": [[d.size for d in s.dim] for s in n.attr["_output_shapes"].list.shape]}
                            for n in g.node]
        values = []
        for v in e.summary.value:
            item = {"tag": v.tag}
            if v.HasField("histo"):
                item["histo"] = {"num": v.histo.num, "min": v.histo.min, "max": v.histo.max, "buckets": sum(v.histo.bucket)}
            else:
                item["simple_value"] = v.simple_value
            values.append(item)
        if values:
            out["values"] = values
        print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1])
