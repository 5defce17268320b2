/**
 * The ONNX protobuf messages the exporter writes, as plain data, and their binary encoding with
 * `@bufbuild/protobuf`'s `BinaryWriter`. Field numbers are those of `onnx/onnx.proto` (proto2:
 * repeated scalars are written unpacked, one tag per element, as proto2 does by default).
 */
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';

/** The element types the exporter uses, with their `TensorProto.DataType` numbers. */
export const ONNX_DATA_TYPES = { float32: 1, int32: 6, int64: 7, bool: 9, float64: 11 } as const;

/** An element type of a tensor in the exported graph. */
export type OnnxDataType = keyof typeof ONNX_DATA_TYPES;

/** `TensorProto`: a named tensor whose values are `raw` (little-endian, row-major). */
export interface OnnxTensor {
  readonly name: string;
  readonly dataType: OnnxDataType;
  readonly dims: readonly number[];
  readonly raw: Uint8Array;
}

/** `AttributeProto`'s value, by its `AttributeType`. */
export type OnnxAttributeValue =
  | { readonly type: 'float'; readonly value: number }
  | { readonly type: 'int'; readonly value: number }
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'tensor'; readonly value: OnnxTensor }
  | { readonly type: 'graph'; readonly value: OnnxGraph }
  | { readonly type: 'floats'; readonly value: readonly number[] }
  | { readonly type: 'ints'; readonly value: readonly number[] };

/** `NodeProto`: one operator call. An empty input name is an omitted optional input. */
export interface OnnxNode {
  readonly opType: string;
  readonly name: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: Readonly<Record<string, OnnxAttributeValue>>;
}

/** `ValueInfoProto` of a tensor: a fixed size or a symbolic name (`dim_param`) per axis. */
export interface OnnxValueInfo {
  readonly name: string;
  readonly dataType: OnnxDataType;
  readonly shape: readonly (number | string)[];
  readonly docString?: string;
}

/** `GraphProto`. */
export interface OnnxGraph {
  readonly name: string;
  readonly nodes: readonly OnnxNode[];
  readonly initializers: readonly OnnxTensor[];
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
  readonly docString?: string;
}

/** `ModelProto` with one opset import of the default domain. */
export interface OnnxModel {
  readonly irVersion: number;
  readonly opsetVersion: number;
  readonly producerName: string;
  readonly producerVersion: string;
  readonly docString: string;
  readonly graph: OnnxGraph;
  readonly metadata: Readonly<Record<string, string>>;
}

// Field numbers (onnx.proto).
const MODEL = { irVersion: 1, producerName: 2, producerVersion: 3, docString: 6, graph: 7, opsetImport: 8, metadataProps: 14 };
const OPSET_ID = { domain: 1, version: 2 };
const STRING_ENTRY = { key: 1, value: 2 };
const GRAPH = { node: 1, name: 2, initializer: 5, docString: 10, input: 11, output: 12 };
const NODE = { input: 1, output: 2, name: 3, opType: 4, attribute: 5, domain: 7 };
const ATTRIBUTE = { name: 1, f: 2, i: 3, s: 4, t: 5, g: 6, floats: 7, ints: 8, type: 20 };
const ATTRIBUTE_TYPE = { float: 1, int: 2, string: 3, tensor: 4, graph: 5, floats: 6, ints: 7 } as const;
const TENSOR = { dims: 1, dataType: 2, name: 8, rawData: 9 };
const VALUE_INFO = { name: 1, type: 2, docString: 3 };
const TYPE = { tensorType: 1 };
const TENSOR_TYPE = { elemType: 1, shape: 2 };
const SHAPE = { dim: 1 };
const DIMENSION = { dimValue: 1, dimParam: 2 };

/** The `ModelProto` bytes of `model`. */
export function encodeModel(model: OnnxModel): Uint8Array {
  const w = new BinaryWriter();
  w.tag(MODEL.irVersion, WireType.Varint).int64(model.irVersion);
  w.tag(MODEL.producerName, WireType.LengthDelimited).string(model.producerName);
  w.tag(MODEL.producerVersion, WireType.LengthDelimited).string(model.producerVersion);
  if (model.docString !== '') w.tag(MODEL.docString, WireType.LengthDelimited).string(model.docString);
  w.tag(MODEL.graph, WireType.LengthDelimited).fork();
  writeGraph(w, model.graph);
  w.join();
  w.tag(MODEL.opsetImport, WireType.LengthDelimited).fork();
  w.tag(OPSET_ID.domain, WireType.LengthDelimited).string('');
  w.tag(OPSET_ID.version, WireType.Varint).int64(model.opsetVersion);
  w.join();
  for (const [key, value] of Object.entries(model.metadata)) {
    w.tag(MODEL.metadataProps, WireType.LengthDelimited).fork();
    w.tag(STRING_ENTRY.key, WireType.LengthDelimited).string(key);
    w.tag(STRING_ENTRY.value, WireType.LengthDelimited).string(value);
    w.join();
  }
  return w.finish();
}

function writeGraph(w: BinaryWriter, graph: OnnxGraph): void {
  for (const node of graph.nodes) {
    w.tag(GRAPH.node, WireType.LengthDelimited).fork();
    writeNode(w, node);
    w.join();
  }
  w.tag(GRAPH.name, WireType.LengthDelimited).string(graph.name);
  for (const tensor of graph.initializers) {
    w.tag(GRAPH.initializer, WireType.LengthDelimited).fork();
    writeTensor(w, tensor);
    w.join();
  }
  if (graph.docString !== undefined) w.tag(GRAPH.docString, WireType.LengthDelimited).string(graph.docString);
  for (const [field, infos] of [
    [GRAPH.input, graph.inputs],
    [GRAPH.output, graph.outputs],
  ] as const) {
    for (const info of infos) {
      w.tag(field, WireType.LengthDelimited).fork();
      writeValueInfo(w, info);
      w.join();
    }
  }
}

function writeNode(w: BinaryWriter, node: OnnxNode): void {
  for (const input of node.inputs) w.tag(NODE.input, WireType.LengthDelimited).string(input);
  for (const output of node.outputs) w.tag(NODE.output, WireType.LengthDelimited).string(output);
  w.tag(NODE.name, WireType.LengthDelimited).string(node.name);
  w.tag(NODE.opType, WireType.LengthDelimited).string(node.opType);
  for (const [name, attribute] of Object.entries(node.attributes)) {
    w.tag(NODE.attribute, WireType.LengthDelimited).fork();
    writeAttribute(w, name, attribute);
    w.join();
  }
  w.tag(NODE.domain, WireType.LengthDelimited).string('');
}

function writeAttribute(w: BinaryWriter, name: string, attribute: OnnxAttributeValue): void {
  w.tag(ATTRIBUTE.name, WireType.LengthDelimited).string(name);
  w.tag(ATTRIBUTE.type, WireType.Varint).int32(ATTRIBUTE_TYPE[attribute.type]);
  switch (attribute.type) {
    case 'float':
      w.tag(ATTRIBUTE.f, WireType.Bit32).float(attribute.value);
      break;
    case 'int':
      w.tag(ATTRIBUTE.i, WireType.Varint).int64(attribute.value);
      break;
    case 'string':
      w.tag(ATTRIBUTE.s, WireType.LengthDelimited).string(attribute.value);
      break;
    case 'tensor':
      w.tag(ATTRIBUTE.t, WireType.LengthDelimited).fork();
      writeTensor(w, attribute.value);
      w.join();
      break;
    case 'graph':
      w.tag(ATTRIBUTE.g, WireType.LengthDelimited).fork();
      writeGraph(w, attribute.value);
      w.join();
      break;
    case 'floats':
      for (const value of attribute.value) w.tag(ATTRIBUTE.floats, WireType.Bit32).float(value);
      break;
    case 'ints':
      for (const value of attribute.value) w.tag(ATTRIBUTE.ints, WireType.Varint).int64(value);
      break;
  }
}

function writeTensor(w: BinaryWriter, tensor: OnnxTensor): void {
  for (const dim of tensor.dims) w.tag(TENSOR.dims, WireType.Varint).int64(dim);
  w.tag(TENSOR.dataType, WireType.Varint).int32(ONNX_DATA_TYPES[tensor.dataType]);
  if (tensor.name !== '') w.tag(TENSOR.name, WireType.LengthDelimited).string(tensor.name);
  w.tag(TENSOR.rawData, WireType.LengthDelimited).bytes(tensor.raw);
}

function writeValueInfo(w: BinaryWriter, info: OnnxValueInfo): void {
  w.tag(VALUE_INFO.name, WireType.LengthDelimited).string(info.name);
  w.tag(VALUE_INFO.type, WireType.LengthDelimited).fork();
  w.tag(TYPE.tensorType, WireType.LengthDelimited).fork();
  w.tag(TENSOR_TYPE.elemType, WireType.Varint).int32(ONNX_DATA_TYPES[info.dataType]);
  w.tag(TENSOR_TYPE.shape, WireType.LengthDelimited).fork();
  for (const dim of info.shape) {
    w.tag(SHAPE.dim, WireType.LengthDelimited).fork();
    if (typeof dim === 'number') w.tag(DIMENSION.dimValue, WireType.Varint).int64(dim);
    else w.tag(DIMENSION.dimParam, WireType.LengthDelimited).string(dim);
    w.join();
  }
  w.join().join().join();
  if (info.docString !== undefined) w.tag(VALUE_INFO.docString, WireType.LengthDelimited).string(info.docString);
}

/** Little-endian bytes of `values` as `dataType` (what `TensorProto.raw_data` holds). */
export function rawData(values: ArrayLike<number>, dataType: OnnxDataType): Uint8Array {
  const width = { float32: 4, int32: 4, int64: 8, bool: 1, float64: 8 }[dataType];
  const out = new Uint8Array(values.length * width);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    switch (dataType) {
      case 'float32':
        view.setFloat32(i * 4, v, true);
        break;
      case 'float64':
        view.setFloat64(i * 8, v, true);
        break;
      case 'int32':
        view.setInt32(i * 4, v, true);
        break;
      case 'int64':
        view.setBigInt64(i * 8, BigInt(v), true);
        break;
      case 'bool':
        out[i] = v === 0 ? 0 : 1;
        break;
    }
  }
  return out;
}
