/**
 * Typed errors of the safetensors reader and writer: one class per kind of fault, all extending
 * `SafetensorsError` (itself a `TensorloomError`), so callers can catch the family or one fault.
 */
import { TensorloomError } from '../errors.js';

/** Base class of every safetensors fault. Also thrown for a value that is not a `Tensor`. */
export class SafetensorsError extends TensorloomError {}

/**
 * The file's frame or header is unusable: fewer than 8 bytes, a header length beyond the file or
 * above `maxHeaderBytes`, a header that is not UTF-8, not JSON, not a JSON object or does not start
 * with `{`, a tensor entry that is not an object, or a tensor named `__metadata__` (on write).
 */
export class SafetensorsHeaderError extends SafetensorsError {}

/** A tensor entry names a dtype this reader does not know or cannot convert (or a tensor's dtype cannot be written). */
export class SafetensorsDTypeError extends SafetensorsError {}

/** A tensor entry's `shape` is not a list of non-negative integers. */
export class SafetensorsShapeError extends SafetensorsError {}

/**
 * A tensor entry's `data_offsets` are not two integers `[begin, end]` with `0 ≤ begin ≤ end ≤`
 * the buffer's length, or span a byte count other than `product(shape) · itemsize`; or the
 * tensors would take more memory once read than `maxTensorBytes` (or one typed array) allows.
 */
export class SafetensorsBoundsError extends SafetensorsError {}

/**
 * The tensors do not tile the byte buffer exactly: two overlap, a hole lies between them, or bytes
 * trail after the last one (the reference implementation rejects all three).
 */
export class SafetensorsLayoutError extends SafetensorsError {}

/** `__metadata__` is not an object of string values (on read or on write). */
export class SafetensorsMetadataError extends SafetensorsError {}

/** An integer in the file (I64, U64, U32) does not fit the int32 it is read into. */
export class SafetensorsRangeError extends SafetensorsError {}
