"""Read IDX files, the format of MNIST and Fashion-MNIST (plain or gzip-compressed).

An IDX file is a 4-byte magic number (two zero bytes, a type code, the number of dimensions), one
big-endian uint32 per dimension, then the values in C order. See
http://yann.lecun.com/exdb/mnist/ ("file formats").
"""

from __future__ import annotations

import gzip
import struct
import zlib
from pathlib import Path
from typing import Any

import numpy as np

from .errors import DataError
from .paths import shown

DTYPES: dict[int, np.dtype[Any]] = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


def parse_idx(data: bytes, where: str = "IDX data") -> np.ndarray:
    """The array held by the bytes of an IDX file."""
    if len(data) < 4 or data[:2] != b"\x00\x00":
        raise DataError(f"{where}: not an IDX file (it does not start with two zero bytes)")
    code, ndim = data[2], data[3]
    if code not in DTYPES:
        raise DataError(f"{where}: unknown IDX type code 0x{code:02x}")
    header = 4 + 4 * ndim
    if ndim == 0 or len(data) < header:
        raise DataError(f"{where}: truncated IDX header")
    shape = struct.unpack(f">{ndim}I", data[4:header])
    dtype = DTYPES[code]
    expected = int(np.prod(shape)) * dtype.itemsize
    if len(data) - header != expected:
        raise DataError(
            f"{where}: IDX header says {'x'.join(map(str, shape))} values ({expected:,} bytes), "
            f"the file holds {len(data) - header:,} bytes"
        )
    array = np.frombuffer(data, dtype=dtype, offset=header).reshape(shape)
    return array.astype(dtype.newbyteorder("="))


def read_idx(path: Path) -> np.ndarray:
    """Read an IDX file, gunzipping it first when it is gzip-compressed."""
    try:
        data = path.read_bytes()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
    except FileNotFoundError:
        raise DataError(f"{shown(path)} not found: run `make data` first") from None
    except (OSError, EOFError, zlib.error) as err:
        raise DataError(f"{shown(path)}: cannot read it ({' '.join(str(err).split())})") from None
    return parse_idx(data, shown(path))


def write_idx(array: np.ndarray, path: Path, *, compress: bool = True) -> Path:
    """Write ``array`` as an IDX file (the inverse of :func:`read_idx`; tests use it)."""
    codes = {dtype: code for code, dtype in DTYPES.items()}
    dtype = np.dtype(array.dtype).newbyteorder(">") if array.dtype.itemsize > 1 else array.dtype
    if dtype not in codes:
        raise ValueError(f"IDX cannot hold {array.dtype}")
    header = bytes([0, 0, codes[dtype], array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    data = header + np.ascontiguousarray(array, dtype=dtype).tobytes()
    path.write_bytes(gzip.compress(data, mtime=0) if compress else data)
    return path
