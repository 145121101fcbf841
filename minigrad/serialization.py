"""``mg.save`` / ``mg.load``: checkpoints as one ``.npz`` file, without pickle.

A checkpoint is a dict of str -> array, and dicts may nest (a model's state_dict
next to an optimizer's). npz stores a flat set of named arrays, and its entry names
cannot carry arbitrary keys (they may contain dots, slashes, anything), so:

- every array is stored under a generated entry name ``a0``, ``a1``, ...;
- one more entry, ``__minigrad__``, holds a JSON text: the format name, its version,
  and the tree of keys with the entry name of each array at its leaves.

``load`` reads with ``allow_pickle=False`` and refuses, with ``CheckpointError``, any
file that is not such a checkpoint, is truncated or corrupt, or holds object arrays.
``save`` writes to a temporary file in the same directory, flushes it to disk, and
renames it over ``path`` (``os.replace`` is atomic), so a crash mid-save leaves the
previous file whole.
"""

from __future__ import annotations

import json
import os
import secrets
import zipfile
from collections.abc import Mapping

import numpy as np

from .core import Tensor

FORMAT = "minigrad-checkpoint"
VERSION = 1
_MARKER = "__minigrad__"
_ZIP_MAGIC = b"PK\x03\x04"  # an .npz file is a zip archive


class CheckpointError(ValueError):
    """The file is not a minigrad checkpoint that can be loaded (the message says why)."""


def _flatten(obj: Mapping, arrays: dict, where: str) -> dict:
    """The key tree of ``obj`` with entry names at the leaves; fills ``arrays``."""
    tree = {}
    for key, value in obj.items():
        if not isinstance(key, str):
            raise TypeError(f"save: keys must be str, got {key!r} ({type(key).__name__}) {where}")
        here = f"{where}[{key!r}]"
        if isinstance(value, Mapping):
            tree[key] = _flatten(value, arrays, here)
            continue
        if isinstance(value, Tensor):
            value = value.data
        if isinstance(value, (bool, int, float, np.generic)):
            value = np.asarray(value)
        if not isinstance(value, np.ndarray):
            raise TypeError(
                f"save: {here} is a {type(value).__name__}; a checkpoint holds only arrays, "
                "numbers and dicts of them"
            )
        if value.dtype.hasobject:
            raise TypeError(
                f"save: {here} is an object array, which cannot be stored without pickle"
            )
        name = f"a{len(arrays)}"
        arrays[name] = value
        tree[key] = name
    return tree


def save(obj: Mapping, path: str | os.PathLike) -> None:
    """Write ``obj`` (a dict of str -> array, dicts nested freely) to ``path``
    atomically. Everything is checked before anything is written."""
    if not isinstance(obj, Mapping):
        raise TypeError(f"save: expected a dict of arrays, got {type(obj).__name__}")
    arrays: dict[str, np.ndarray] = {}
    tree = _flatten(obj, arrays, "in the checkpoint")
    header = json.dumps({"format": FORMAT, "version": VERSION, "tree": tree})
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise FileNotFoundError(
            f"save: cannot write {path!r}: its folder {directory!r} does not exist; "
            "create it first (os.makedirs(folder, exist_ok=True))"
        )
    if os.path.isdir(path):
        raise IsADirectoryError(
            f"save: {path!r} is a folder; give a file name, such as "
            f"{os.path.join(path, 'checkpoint.npz')!r}"
        )
    # a fresh name beside the target (same file system, so the rename is atomic);
    # opened with "xb" so it has the usual permissions and never clobbers anything
    tmp = os.path.join(directory, f".{os.path.basename(path)}.{secrets.token_hex(6)}.tmp")
    try:
        with open(tmp, "xb") as f:
            # an open file, not a name: np.savez would append ".npz" to a name
            np.savez(f, **{_MARKER: np.array(header)}, **arrays)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException as err:
        if os.path.exists(tmp):
            os.remove(tmp)
        if isinstance(err, OSError) and err.errno is not None:
            # the error names the temporary file, which the user never asked for;
            # OSError(errno, ...) makes the same subclass (PermissionError, ...)
            raise OSError(err.errno, f"save: cannot write {path!r}: {err.strerror}") from err
        raise
    _fsync_directory(directory)


def _fsync_directory(directory: str) -> None:
    # makes the rename itself durable; not every platform can open a directory
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def load(path: str | os.PathLike) -> dict:
    """Read a checkpoint written by ``save``: the same nested dict, arrays with
    their dtypes and shapes."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"load: no file at {path!r}")
    # Opened here, not by np.load: given a name, np.load leaves its file open when the
    # zip archive turns out to be damaged (a ResourceWarning later); given a file, it
    # leaves closing to us.
    with open(path, "rb") as f:
        if f.read(4) != _ZIP_MAGIC:
            raise CheckpointError(f"load: {path!r} is not a minigrad checkpoint (not an .npz file)")
        f.seek(0)
        try:
            with np.load(f, allow_pickle=False) as npz:
                header = _header(npz, path)
                arrays = {name: npz[name] for name in npz.files if name != _MARKER}
        except CheckpointError:
            raise
        except (ValueError, OSError, EOFError, zipfile.BadZipFile, KeyError) as err:
            raise CheckpointError(f"load: {path!r} cannot be loaded: {_why(err)}") from err
    return _unflatten(header["tree"], arrays, path)


def _header(npz, path: str) -> dict:
    if _MARKER not in npz.files:
        raise CheckpointError(f"load: {path!r} is an .npz file but not a minigrad checkpoint")
    try:
        header = json.loads(str(npz[_MARKER]))
    except json.JSONDecodeError as err:
        raise CheckpointError(f"load: {path!r} has a damaged checkpoint header") from err
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise CheckpointError(f"load: {path!r} is not a minigrad checkpoint")
    version = header.get("version")
    if not isinstance(version, int) or version > VERSION:
        raise CheckpointError(
            f"load: {path!r} has checkpoint format version {version!r}; this minigrad "
            f"reads versions up to {VERSION}"
        )
    if not isinstance(header.get("tree"), dict):
        raise CheckpointError(f"load: {path!r} has a damaged checkpoint header")
    return header


def _why(err: Exception) -> str:
    text = str(err)
    if "allow_pickle" in text or "pickled" in text:
        return "it holds object arrays (pickled data), which are never loaded"
    return f"it is truncated or corrupt ({type(err).__name__}: {text})"


def _unflatten(tree: dict, arrays: dict, path: str) -> dict:
    out = {}
    for key, leaf in tree.items():
        if isinstance(leaf, dict):
            out[key] = _unflatten(leaf, arrays, path)
        elif isinstance(leaf, str) and leaf in arrays:
            out[key] = arrays[leaf]
        else:
            raise CheckpointError(f"load: {path!r} has a damaged checkpoint header")
    return out
