/**
 * The parts of `model.py` every export has: the header and imports, a safetensors reader and writer
 * (no `safetensors` package needed: a JSON header and `torch.frombuffer`), `build_model(spec)` and
 * `load(folder)`.
 */

/** The module docstring and imports of `model.py`. */
export function pythonHeader(title: string): string {
  return String.raw`"""${title}

Written by tensorloom's PyTorch exporter (@tensorloom/export). Needs only torch (1.13 or later).

    from model import load
    model, config = load('path/to/this/folder')   # weights loaded strictly, eval mode

build_model(config['model']) builds the same module with fresh weights; load_safetensors and
save_safetensors read and write the weights file format.
"""
import collections
import ctypes
import json
import math
import os
import struct
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F`;
}

/** The safetensors reader and writer. */
export const SAFETENSORS_PY = String.raw`_SAFETENSORS_DTYPES = {
    'F64': torch.float64,
    'F32': torch.float32,
    'F16': torch.float16,
    'BF16': torch.bfloat16,
    'I64': torch.int64,
    'I32': torch.int32,
    'I16': torch.int16,
    'I8': torch.int8,
    'U8': torch.uint8,
    'BOOL': torch.bool,
}
_SAFETENSORS_NAMES = {dtype: name for name, dtype in _SAFETENSORS_DTYPES.items()}


def load_safetensors(path):
    """Reads a safetensors file: {name: CPU tensor} in the file's order (the __metadata__ is skipped)."""
    if sys.byteorder != 'little':
        raise RuntimeError('load_safetensors: this reader needs a little-endian machine')
    with open(path, 'rb') as handle:
        data = bytearray(handle.read())
    if len(data) < 8:
        raise ValueError(f'{path}: not a safetensors file ({len(data)} bytes, fewer than the 8 of the header size)')
    (header_size,) = struct.unpack('<Q', bytes(data[:8]))
    if 8 + header_size > len(data):
        raise ValueError(f'{path}: the header claims {header_size} bytes, more than the file holds')
    header = json.loads(bytes(data[8:8 + header_size]).decode('utf-8'))
    start = 8 + header_size
    tensors = {}
    for name, info in header.items():
        if name == '__metadata__':
            continue
        dtype = _SAFETENSORS_DTYPES.get(info['dtype'])
        if dtype is None:
            raise ValueError(f"{path}: tensor '{name}' has dtype {info['dtype']}, which this reader does not know")
        begin, end = info['data_offsets']
        shape = info['shape']
        count = math.prod(shape)
        itemsize = torch.empty((), dtype=dtype).element_size()
        if end - begin != count * itemsize or start + end > len(data):
            raise ValueError(f"{path}: tensor '{name}' has {end - begin} bytes for shape {shape} of {info['dtype']}")
        if count == 0:
            tensors[name] = torch.empty(shape, dtype=dtype)
        else:
            # clone: own memory, aligned whatever the offset
            tensors[name] = torch.frombuffer(data, dtype=dtype, count=count, offset=start + begin).reshape(shape).clone()
    return tensors


def safetensors_bytes(tensors, metadata=None):
    """The safetensors file of {name: tensor} (tensors in the dict's order; metadata: str -> str)."""
    header = {}
    if metadata:
        header['__metadata__'] = {str(key): str(value) for key, value in metadata.items()}
    chunks = []
    offset = 0
    for name, tensor in tensors.items():
        t = tensor.detach().to('cpu').contiguous()
        dtype = _SAFETENSORS_NAMES.get(t.dtype)
        if dtype is None:
            raise ValueError(f"safetensors_bytes: tensor '{name}' has dtype {t.dtype}, which safetensors cannot hold")
        size = t.numel() * t.element_size()
        chunks.append(ctypes.string_at(t.data_ptr(), size) if size > 0 else b'')
        header[name] = {'dtype': dtype, 'shape': list(t.shape), 'data_offsets': [offset, offset + size]}
        offset += size
    head = json.dumps(header, separators=(',', ':')).encode('utf-8')
    head += b' ' * (-len(head) % 8)
    return struct.pack('<Q', len(head)) + head + b''.join(chunks)


def save_safetensors(tensors, path, metadata=None):
    """Writes {name: tensor} as a safetensors file, atomically (a temporary file renamed into place)."""
    data = safetensors_bytes(tensors, metadata)
    temp = f'{path}.tmp-{os.getpid()}'
    with open(temp, 'wb') as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temp, path)


# Functions (model, state) -> state that adapt a weights file to this model.py's modules before
# load_state_dict (a library version with other parameter names, say).
STATE_DICT_ADAPTERS = []`;

/** `BUILDERS`, `build_model` and `load`, after the builders of the types used. */
export function loaderPython(builderTypes: readonly string[]): string {
  const entries = builderTypes.map((type) => `    '${type}': build_${type},`).join('\n');
  return String.raw`BUILDERS = {
${entries}
}
_TORCH_DTYPES = {'float32': torch.float32, 'float64': torch.float64}


def build_model(spec):
    """The torch.nn.Module a spec node describes (config.json's "model"), fresh weights, children built first."""
    builder = BUILDERS.get(spec['type'])
    if builder is None:
        raise ValueError(f"build_model: unknown module type '{spec['type']}' (this model.py builds {', '.join(BUILDERS)})")
    modules = {name: build_model(child) for name, child in spec.get('modules', {}).items()}
    return builder(spec.get('options', {}), modules)


def load(folder, map_location='cpu'):
    """Builds the model of folder/config.json, loads folder/model.safetensors into it strictly (a
    missing, unexpected or mis-shaped tensor is an error) and returns (model, config), the model on
    map_location and in eval mode (call model.train() to train it)."""
    with open(os.path.join(folder, 'config.json'), encoding='utf-8') as handle:
        config = json.load(handle)
    if config.get('format') != 'tensorloom.pytorch-export':
        raise ValueError(f"{folder}/config.json is not a tensorloom PyTorch export (format {config.get('format')!r})")
    model = build_model(config['model']).to(_TORCH_DTYPES[config.get('dtype', 'float32')])
    state = load_safetensors(os.path.join(folder, 'model.safetensors'))
    for adapt in STATE_DICT_ADAPTERS:
        state = adapt(model, state)
    model.load_state_dict(state, strict=True)
    return model.to(map_location).eval(), config`;
}
