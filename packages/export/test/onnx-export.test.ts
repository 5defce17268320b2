import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';
import { Generator, Tensor, nn, randn } from '@tensorloom/core-tensor';
import { GCN, GINConv, GNN } from '@tensorloom/gnn';
import { LSTM } from '@tensorloom/lstm';
import { CharTokenizer, TextGenerationModel } from '@tensorloom/textgen';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { ExportError, exportOnnx, fileBytes, onnxModelBytes, type ExportBundle } from '../src/index.js';
import { ONNX_HANDLERS } from '../src/onnx/export-onnx.js';
import { OnnxGraphBuilder } from '../src/onnx/graph-builder.js';
import { emitModule } from '../src/onnx/handler.js';
import { encodeModel } from '../src/onnx/proto.js';

/** What the tests read back from a ModelProto (field numbers of onnx.proto). */
interface DecodedModel {
  irVersion: number;
  producerName: string;
  producerVersion: string;
  opsets: Array<{ domain: string; version: number }>;
  initializers: Map<string, { dims: number[]; dataType: number; raw: Uint8Array }>;
  inputs: string[];
  outputs: string[];
  metadata: Map<string, string>;
}

/** Calls `field(number, wireType, reader)` for every field of the message in `bytes`; unread fields are skipped. */
function readMessage(bytes: Uint8Array, field: (no: number, reader: BinaryReader) => boolean): void {
  const reader = new BinaryReader(bytes);
  while (reader.pos < reader.len) {
    const [no, wireType] = reader.tag();
    if (!field(no, reader)) reader.skip(wireType as WireType, no);
  }
}

function decodeModel(bytes: Uint8Array): DecodedModel {
  const model: DecodedModel = {
    irVersion: -1,
    producerName: '',
    producerVersion: '',
    opsets: [],
    initializers: new Map(),
    inputs: [],
    outputs: [],
    metadata: new Map(),
  };
  const nameOf = (message: Uint8Array): string => {
    let name = '';
    readMessage(message, (no, r) => (no === 1 ? ((name = r.string()), true) : false));
    return name;
  };
  readMessage(bytes, (no, r) => {
    if (no === 1) model.irVersion = Number(r.int64());
    else if (no === 2) model.producerName = r.string();
    else if (no === 3) model.producerVersion = r.string();
    else if (no === 8) {
      const opset = { domain: '', version: -1 };
      readMessage(r.bytes(), (f, s) =>
        f === 1 ? ((opset.domain = s.string()), true) : f === 2 ? ((opset.version = Number(s.int64())), true) : false,
      );
      model.opsets.push(opset);
    } else if (no === 14) {
      let key = '';
      let value = '';
      readMessage(r.bytes(), (f, s) => (f === 1 ? ((key = s.string()), true) : f === 2 ? ((value = s.string()), true) : false));
      model.metadata.set(key, value);
    } else if (no === 7) {
      readMessage(r.bytes(), (f, g) => {
        if (f === 5) {
          const tensor = { name: '', dims: [] as number[], dataType: -1, raw: new Uint8Array() as Uint8Array };
          readMessage(g.bytes(), (t, s) => {
            if (t === 1) tensor.dims.push(Number(s.int64()));
            else if (t === 2) tensor.dataType = s.int32();
            else if (t === 8) tensor.name = s.string();
            else if (t === 9) tensor.raw = s.bytes();
            else return false;
            return true;
          });
          model.initializers.set(tensor.name, tensor);
        } else if (f === 11) model.inputs.push(nameOf(g.bytes()));
        else if (f === 12) model.outputs.push(nameOf(g.bytes()));
        else return false;
        return true;
      });
    } else return false;
    return true;
  });
  return model;
}

const file = (bundle: ExportBundle, name: string): string | Uint8Array => {
  const found = bundle.files.find((f) => f.name === name);
  if (found === undefined) throw new Error(`no ${name} in the bundle`);
  return found.contents;
};

const tokenizer = CharTokenizer.fromText('hello, onnx world!', { unknown: 'token' });
const textModel = () =>
  new TextGenerationModel({ vocabSize: tokenizer.vocabSize, embeddingDim: 4, hiddenSize: 6, numLayers: 2, generator: new Generator(1) });

describe('exportOnnx: the files', () => {
  it('a text model gives model.onnx, config.json (config, signature, opset, vocabulary) and a README', () => {
    const model = textModel();
    const bundle = exportOnnx(model, { tokenizer, metadata: { step: 42 } });
    expect(bundle.kind).toBe('textgen');
    expect(bundle.files.map((f) => f.name)).toEqual(['model.onnx', 'config.json', 'README.md']);
    const config = JSON.parse(file(bundle, 'config.json') as string);
    expect(config).toMatchObject({
      format: 'tensorloom.onnx-export',
      version: 1,
      kind: 'textgen',
      model: 'TextGenerationModel',
      opset: 18,
      dtype: 'float32',
    });
    expect(config.config).toEqual({ ...model.config });
    expect(config.vocabulary).toEqual(tokenizer.toJSON());
    expect(config.metadata).toEqual({ step: 42 });
    expect(config.inputs.map((s: { name: string; dtype: string; shape: unknown[] }) => [s.name, s.dtype, s.shape])).toEqual([
      ['tokens', 'int64', ['batch', 'time']],
      ['h0', 'float32', [2, 'batch', 6]],
      ['c0', 'float32', [2, 'batch', 6]],
    ]);
    expect(config.outputs.map((s: { name: string; shape: unknown[] }) => [s.name, s.shape])).toEqual([
      ['logits', ['batch', 'time', tokenizer.vocabSize]],
      ['hn', [2, 'batch', 6]],
      ['cn', [2, 'batch', 6]],
    ]);
    const readme = file(bundle, 'README.md') as string;
    expect(readme).toMatch(/import onnxruntime as ort/);
    expect(readme).toMatch(/onnxruntime-node/);
    expect(readme).toMatch(/"h0": h, "c0": c/);
  });

  it('model.onnx decodes to IR 8, opset 18, producer tensorloom, the signature and the metadata', () => {
    const model = textModel();
    const decoded = decodeModel(onnxModelBytes(model, { tokenizer, producerVersion: '9.9.9' }));
    expect(decoded.irVersion).toBe(8);
    expect(decoded.opsets).toEqual([{ domain: '', version: 18 }]);
    expect(decoded.producerName).toBe('tensorloom');
    expect(decoded.producerVersion).toBe('9.9.9');
    expect(decoded.inputs).toEqual(['tokens', 'h0', 'c0']);
    expect(decoded.outputs).toEqual(['logits', 'hn', 'cn']);
    expect(JSON.parse(decoded.metadata.get('tensorloom.vocabulary')!)).toEqual(tokenizer.toJSON());
    expect(JSON.parse(decoded.metadata.get('tensorloom.config')!)).toEqual({ ...model.config });
  });

  it('the initializers carry the state-dict names and values', () => {
    for (const model of [textModel(), new GCN({ inChannels: 3, outChannels: 2, generator: new Generator(2) })] as nn.AnyModule[]) {
      const decoded = decodeModel(onnxModelBytes(model));
      for (const [name, t] of Object.entries(model.stateDict())) {
        const stored = decoded.initializers.get(name);
        expect(stored, name).toBeDefined();
        expect(stored!.dims).toEqual([...t.shape]);
        expect(stored!.dataType).toBe(1);
        const view = new DataView(stored!.raw.buffer, stored!.raw.byteOffset, stored!.raw.byteLength);
        expect(Array.from({ length: t.size }, (_, i) => view.getFloat32(4 * i, true))).toEqual(Array.from(t.data));
      }
    }
  });

  it('a GNN gives kind gnn with inputs x, edge_index and output logits', () => {
    const bundle = exportOnnx(new GNN({ conv: 'sage', inChannels: 3, hiddenChannels: 4, outChannels: 2 }));
    expect(bundle.kind).toBe('gnn');
    const config = JSON.parse(file(bundle, 'config.json') as string);
    expect(config.inputs.map((s: { name: string; shape: unknown[] }) => [s.name, s.shape])).toEqual([
      ['x', ['num_nodes', 3]],
      ['edge_index', [2, 'num_edges']],
    ]);
    expect(config.outputs[0]).toMatchObject({ name: 'logits', shape: ['num_nodes', 2] });
    expect(config.config).toMatchObject({ conv: 'sage', inChannels: 3, hiddenChannels: 4, outChannels: 2, numLayers: 2 });
    expect(config.vocabulary).toBeUndefined();
    expect(fileBytes(bundle.files[0]!)).toBeInstanceOf(Uint8Array);
  });

  it('opsets 19 to 22 load in ONNX Runtime with IR 9 or 10; opset 17 and 23 are refused', async () => {
    const model = new GCN({ inChannels: 3, outChannels: 2 });
    for (const [opset, ir] of [
      [20, 9],
      [22, 10],
    ] as const) {
      const bytes = onnxModelBytes(model, { opset });
      expect(decodeModel(bytes)).toMatchObject({ irVersion: ir, opsets: [{ domain: '', version: opset }] });
      const session = await ort.InferenceSession.create(bytes);
      const out = await session.run({
        x: new ort.Tensor('float32', new Float32Array(6).fill(1), [2, 3]),
        edge_index: new ort.Tensor('int64', BigInt64Array.from([0n, 1n]), [2, 1]),
      });
      expect(out.logits!.dims).toEqual([2, 2]);
    }
    expect(() => exportOnnx(model, { opset: 17 })).toThrow(ExportError);
    expect(() => exportOnnx(model, { opset: 23 })).toThrow(ExportError);
    expect(() => exportOnnx(model, { opset: 18.5 })).toThrow(ExportError);
  });
});

describe('exportOnnx: what it refuses', () => {
  it('an unknown module inside the model names its path and type and lists the supported types', () => {
    class Scale extends nn.Module {
      forward(x: Tensor): Tensor {
        return x.mul(2);
      }
    }
    const model = new GNN({ conv: 'gin', inChannels: 3, hiddenChannels: 4, outChannels: 2 });
    model.registerModule(
      'convs',
      new nn.ModuleList([new GINConv(new nn.Sequential(new nn.Linear({ inFeatures: 3, outFeatures: 2 }), new Scale()))]),
    );
    let error: unknown;
    try {
      exportOnnx(model);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ExportError);
    expect((error as Error).message).toMatch(/'convs\.0\.nn\.1'/);
    expect((error as Error).message).toMatch(/a Scale/);
    expect((error as Error).message).toMatch(/GCNConv.*GATConv/);
  });

  it('a model of another kind, and a tokenizer of another size, are ExportErrors', () => {
    expect(() => exportOnnx(new nn.Linear({ inFeatures: 2, outFeatures: 2 }))).toThrow(/a Linear.*TextGenerationModel or GNN/);
    expect(() => exportOnnx(textModel(), { tokenizer: CharTokenizer.fromText('ab') })).toThrow(ExportError);
  });
});

describe('the LSTM handler', () => {
  it.each([
    ['float32', true, 1e-5],
    ['float32', false, 1e-5],
    ['float64', false, 1e-10],
  ] as const)(
    '%s: a bidirectional, batch-first 2-layer LSTM (initial state given: %s) matches tensorloom, output and final state',
    async (dtype, withState, tolerance) => {
      const lstm = new LSTM({
        inputSize: 3,
        hiddenSize: 4,
        numLayers: 2,
        bidirectional: true,
        batchFirst: true,
        bias: !withState,
        dtype,
        generator: new Generator(5),
      });
      const graph = new OnnxGraphBuilder(dtype);
      const inputs = [graph.input('x', dtype, ['batch', 'time', 3])];
      if (withState) inputs.push(graph.input('h0', dtype, [4, 'batch', 4]), graph.input('c0', dtype, [4, 'batch', 4]));
      const outputs = emitModule(graph, ONNX_HANDLERS, lstm, 'lstm', inputs);
      const shapes = [
        ['batch', 'time', 8],
        [4, 'batch', 4],
        [4, 'batch', 4],
      ];
      ['y', 'hn', 'cn'].forEach((name, i) => graph.output(outputs[i]!, name, dtype, shapes[i]!));
      const bytes = encodeModel({
        irVersion: 8,
        opsetVersion: 18,
        producerName: 'test',
        producerVersion: '0',
        docString: '',
        graph: graph.build('lstm'),
        metadata: {},
      });
      const session = await ort.InferenceSession.create(bytes);
      const generator = new Generator(6);
      const x = randn([2, 5, 3], { generator, dtype });
      const h = randn([4, 2, 4], { generator, dtype });
      const c = randn([4, 2, 4], { generator, dtype });
      const expected = lstm.eval().call(x, withState ? { state: { h, c } } : {});
      const feed = (t: Tensor) =>
        dtype === 'float64'
          ? new ort.Tensor('float64', Float64Array.from(t.data), [...t.shape])
          : new ort.Tensor('float32', Float32Array.from(t.data), [...t.shape]);
      const out = await session.run(withState ? { x: feed(x), h0: feed(h), c0: feed(c) } : { x: feed(x) });
      for (const [name, want] of [
        ['y', expected.output],
        ['hn', expected.state.h],
        ['cn', expected.state.c],
      ] as const) {
        expect(out[name]!.dims, name).toEqual(want.shape);
        const got = out[name]!.data as Float32Array | Float64Array;
        const worst = Math.max(...Array.from(want.data, (v, i) => Math.abs(v - got[i]!)));
        expect(worst, name).toBeLessThan(tolerance);
      }
    },
  );
});
