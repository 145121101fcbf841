"""``mg.save`` / ``mg.load``: checkpoints as one ``.npz`` file, without pickle.

A checkpoint is a dict of str -> array, and dicts may nest (a model's state_dict
next to an optimizer's). npz stores a flat set of named arrays, and its entry names
cannot carry arbitrary keys (they may contain dots, slashes, anything), so:

- every array is stored under a generated entry name ``a0``, ``a1``, ...;
- one more entry, ``__minigrad__``, holds a JSON text: the format name, its version,
  and the tree of keys with the entry name of each array at its leaves;
- the zip archive's comment, the last bytes of the file, reads
  ``minigrad-checkpoint sha256=`` and the SHA-256 (64 hex digits) of every byte of the
  file before those digits. The file stays a standard ``.npz`` (``np.load`` reads it).

``load`` trusts nothing in the file. It checks the SHA-256 before parsing anything, so
any damage (a flipped byte anywhere, a truncation) is refused; and since anyone can
write a file with a correct SHA-256, it then reads the archive as hostile input: no
pickle, no compressed entries, every size checked against the file before anything is
allocated, and the limits below. Every refusal is a ``CheckpointError`` whose message
names the file and the reason. Files of format version 1, written before the SHA-256
was added, still load; zip's CRC-32 of each entry is their only protection.

``save`` checks everything before writing, writes to a temporary file next to the
target, flushes it to disk and renames it over the target (``os.replace`` is atomic),
so a crash or a kill mid-save leaves the previous file whole. The target must be a
regular file that ``open(path, "wb")`` could write, or a new path; a symlink is
followed, so the link stays and the file it points at gets the checkpoint.
"""

from __future__ import annotations

import errno
import hashlib
import io
import json
import math
import os
import re
import secrets
import stat
import zipfile
from collections.abc import Mapping

import numpy as np

from .core import Tensor

try:
    import fcntl  # Unix: lets a save tell a killed save's temporary file from a live one's
except ImportError:  # Windows
    fcntl = None

FORMAT = "minigrad-checkpoint"
VERSION = 2  # version 2 added the SHA-256 at the end of the file

MAX_KEY_DEPTH = 64
"""How deep dicts may nest in a checkpoint; the dict given to ``save`` is level 1.

Real checkpoints nest 2 to 4 deep. The limit keeps a hostile file from making the
reader recurse thousands of levels deep (``json.loads`` recurses once per level), and
keeps ``save`` from recursing forever into a dict that contains itself."""

MAX_HEADER_BYTES = 16 * 2**20
"""The largest key-tree entry (``__minigrad__.npy``) a checkpoint may have: 16 MiB.

The JSON text is stored as numpy unicode, 4 bytes a character, so this is about 4
million characters: room for some 100,000 keys. ``load`` checks the size the zip
directory gives before reading anything, so a header that claims gigabytes costs
nothing."""

MAX_ARRAY_ELEMENTS = 2**36
"""The most elements one array may have (2**36 float32 take 256 GiB).

Apart from this limit, an array must fill its zip entry exactly, and all entries
together must fit in the file, so ``load`` never allocates more memory for arrays than
the file has bytes. The limit matters for arrays of zero-byte items, which take no
room in the file whatever their shape claims."""

_MARKER = "__minigrad__"
_ZIP_MAGIC = b"PK\x03\x04"  # an .npz file is a zip archive
_CHECKSUM_LABEL = b"minigrad-checkpoint sha256="
_DIGEST_SIZE = 64  # a SHA-256 in hex digits
_TEMPORARY_SUFFIX = ".minigrad-tmp"  # save's temporary files: .<name>.<12 hex digits>.minigrad-tmp


class CheckpointError(ValueError):
    """A file that is not a loadable minigrad checkpoint, or a checkpoint or target that
    ``save`` refuses (the message says why)."""


# ---------------------------------------------------------------- save


def save(obj: Mapping, path: str | os.PathLike) -> None:
    """Write ``obj`` (a dict of str -> array, dicts nested freely) to ``path``
    atomically. Everything is checked before anything is written.

    ``path`` must be a new file or a regular file that ``open(path, "wb")`` could
    write (a folder, a FIFO or a device such as ``/dev/null`` is refused); a symlink is
    followed, so the link stays and the file it points at gets the checkpoint.
    """
    if not isinstance(obj, Mapping):
        raise TypeError(f"save: expected a dict of arrays, got {type(obj).__name__}")
    arrays: dict[str, np.ndarray] = {}
    tree = _flatten(obj, arrays, "in the checkpoint", depth=1)
    header = _npy_bytes(np.array(json.dumps({"format": FORMAT, "version": VERSION, "tree": tree})))
    if len(header) > MAX_HEADER_BYTES:
        raise CheckpointError(
            f"save: the checkpoint's keys take {len(header):,} bytes, more than "
            f"MAX_HEADER_BYTES ({MAX_HEADER_BYTES:,}); save fewer keys per file"
        )
    path = os.fspath(path)
    # open(path, "wb") writes through a symlink; so does save, by replacing the file the
    # link points at (its temporary file goes next to that file, on the same file system)
    target = os.path.realpath(path)
    folder = os.path.dirname(target)
    if not os.path.isdir(folder):
        raise FileNotFoundError(
            f"save: cannot write {path!r}: its folder {folder!r} does not exist; "
            "create it first (os.makedirs(folder, exist_ok=True))"
        )
    old_mode = _check_target(target, path)
    _remove_stale_temporaries(target)  # before writing, so a killed save's bytes are freed
    # a fresh name beside the target (same file system, so the rename is atomic);
    # opened with "x" so it has the usual permissions and never clobbers anything
    tmp = os.path.join(folder, f".{os.path.basename(target)}.{secrets.token_hex(6)}")
    tmp += _TEMPORARY_SUFFIX
    try:
        with open(tmp, "x+b") as f:
            if fcntl is not None:
                # held until the file is closed; the system drops it when this process
                # dies, however it dies, which is how a later save knows the file is stale
                fcntl.flock(f.fileno(), fcntl.LOCK_EX)
            _write_checkpoint(f, header, arrays)
            f.flush()
            os.fsync(f.fileno())
        if old_mode is not None:
            os.chmod(tmp, old_mode)  # open(path, "wb") would have kept the permissions
        os.replace(tmp, target)
    except BaseException as err:
        if os.path.exists(tmp):
            os.remove(tmp)
        if isinstance(err, OSError) and err.errno is not None:
            # the error names the temporary file, which the user never asked for;
            # OSError(errno, ...) makes the same subclass (PermissionError, ...)
            raise OSError(err.errno, f"save: cannot write {path!r}: {err.strerror}") from err
        raise
    _fsync_directory(folder)


def _flatten(obj: Mapping, arrays: dict, where: str, depth: int) -> dict:
    """The key tree of ``obj`` with entry names at the leaves; fills ``arrays``."""
    if depth > MAX_KEY_DEPTH:
        raise CheckpointError(
            f"save: the dicts nest more than MAX_KEY_DEPTH ({MAX_KEY_DEPTH}) levels deep; "
            "a checkpoint allows no deeper (does a dict contain itself?)"
        )
    tree = {}
    for key, value in obj.items():
        if not isinstance(key, str):
            raise TypeError(f"save: keys must be str, got {key!r} ({type(key).__name__}) {where}")
        here = f"{where}[{key!r}]"
        if isinstance(value, Mapping):
            tree[key] = _flatten(value, arrays, here, depth + 1)
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
        if value.size > MAX_ARRAY_ELEMENTS:
            raise CheckpointError(
                f"save: {here} has {value.size:,} elements, more than MAX_ARRAY_ELEMENTS "
                f"({MAX_ARRAY_ELEMENTS:,})"
            )
        name = f"a{len(arrays)}"
        arrays[name] = value
        tree[key] = name
    return tree


def _npy_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array, allow_pickle=False)
    return buffer.getvalue()


# the files that are not regular, by the name an error gives them
_SPECIAL_FILES = [
    (stat.S_ISFIFO, "named pipe (FIFO)"),
    (stat.S_ISCHR, "character device"),
    (stat.S_ISBLK, "block device"),
    (stat.S_ISSOCK, "socket"),
]


def _refuse_unless_regular_file(mode: int, path: str, action: str) -> None:
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(
            errno.EISDIR,
            f"{action}: {path!r} is a folder; give a file name, such as "
            f"{os.path.join(path, 'checkpoint.npz')!r}",
        )
    if not stat.S_ISREG(mode):
        kind = next((name for test, name in _SPECIAL_FILES if test(mode)), "special file")
        raise CheckpointError(
            f"{action}: {path!r} is a {kind}, not a regular file; a checkpoint is "
            "kept only in a regular file, so give the path of one (or of a new file)"
        )


def _check_target(target: str, path: str) -> int | None:
    """The permission bits of the file at ``target``, or None when there is none yet.

    Refuses what is not a regular file: replacing a FIFO or a device such as
    /dev/null would destroy it. Refuses, as ``open(path, "wb")`` would, a file this user
    may not write, even when the folder would let us replace it.
    """
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        return None  # a new file: the folder decides, when the temporary file is made
    _refuse_unless_regular_file(mode, path, "save")
    # Opening the file for writing, without truncating it, asks the system the same
    # question open(path, "wb") asks, and gets the same answer (as root: yes, even for
    # a file of mode 0444).
    try:
        os.close(os.open(target, os.O_WRONLY))
    except OSError as err:
        raise OSError(err.errno, f"save: cannot write {path!r}: {err.strerror}") from err
    return mode & 0o777  # read, write and execute for owner, group and others


def _remove_stale_temporaries(target: str) -> None:
    """Remove the temporary files that saves to ``target`` left behind when killed.

    A save holds a lock on its temporary file while it writes; the system releases it
    when that process ends, even by SIGKILL. A file that can be locked is stale. Without
    ``fcntl`` (Windows) a live save's file cannot be told from a dead one's, so none
    is removed.
    """
    if fcntl is None:
        return
    folder, name = os.path.split(target)
    ours = re.compile(re.escape(f".{name}.") + "[0-9a-f]{12}" + re.escape(_TEMPORARY_SUFFIX))
    with os.scandir(folder) as entries:
        stale = [
            e.path for e in entries if ours.fullmatch(e.name) and e.is_file(follow_symlinks=False)
        ]
    for tmp in stale:
        try:
            with open(tmp, "rb") as f:
                fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                os.remove(tmp)
        except OSError:
            pass  # locked by a save still writing it, gone already, or not ours to read


def _write_checkpoint(f: io.BufferedRandom, header: bytes, arrays: dict) -> None:
    """Write the archive to ``f``, then the SHA-256 of all of it into its last bytes."""
    with zipfile.ZipFile(f, "w", zipfile.ZIP_STORED) as archive:
        # the comment is the last thing in a zip file; its digits are filled in below
        archive.comment = _CHECKSUM_LABEL + b"0" * _DIGEST_SIZE
        archive.writestr(f"{_MARKER}.npy", header)
        for name, array in arrays.items():
            _write_array(archive, name, array)
    digits_start = f.seek(0, os.SEEK_END) - _DIGEST_SIZE
    digest = _sha256_of_start(f, digits_start)
    f.seek(digits_start)
    f.write(digest)


def _write_array(archive: zipfile.ZipFile, name: str, array: np.ndarray) -> None:
    # as np.savez does; force_zip64 because the size is not known before writing and
    # may pass the 2 GiB that a plain zip entry can hold
    with archive.open(f"{name}.npy", "w", force_zip64=True) as entry:
        np.lib.format.write_array(entry, array, allow_pickle=False)


def _sha256_of_start(f, length: int) -> bytes:
    """The SHA-256, in hex digits, of the first ``length`` bytes of ``f``."""
    digest = hashlib.sha256()
    f.seek(0)
    left = length
    while left > 0:
        chunk = f.read(min(left, 2**20))
        if not chunk:
            break  # the file is shorter than it was: the digest will not match
        digest.update(chunk)
        left -= len(chunk)
    return digest.hexdigest().encode("ascii")


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


# ---------------------------------------------------------------- load


def load(path: str | os.PathLike) -> dict:
    """Read a checkpoint written by ``save``: the same nested dict, arrays with
    their dtypes and shapes. Anything else, damaged or hostile, is refused with
    ``CheckpointError``; the file is only read."""
    path = os.fspath(path)
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise FileNotFoundError(errno.ENOENT, f"load: no file at {path!r}") from None
    # not opened otherwise: opening a FIFO waits for a writer, and a device may be endless
    _refuse_unless_regular_file(mode, path, "load")
    # Opened here, not by np.load: given a name, np.load leaves its file open when the
    # zip archive turns out to be damaged (a ResourceWarning later).
    with open(path, "rb") as f:
        if f.read(4) != _ZIP_MAGIC:
            raise CheckpointError(f"load: {path!r} is not a minigrad checkpoint (not an .npz file)")
        size = os.fstat(f.fileno()).st_size
        has_checksum = _check_checksum(f, size, path)
        try:
            with zipfile.ZipFile(f) as archive:
                return _read_archive(archive, size, path, has_checksum)
        except (CheckpointError, MemoryError):
            raise
        except Exception as err:
            # zipfile and numpy's .npy reader raise many types on bad bytes (BadZipFile,
            # ValueError, EOFError, struct.error, NotImplementedError, RuntimeError for an
            # encrypted entry, ...); whatever they raise, it is the file that is wrong
            raise CheckpointError(
                f"load: {path!r} is truncated or corrupt ({type(err).__name__}: {err})"
            ) from err


def _check_checksum(f, size: int, path: str) -> bool:
    """Whether the file ends in a SHA-256 of the bytes before it. One that does not
    match them is refused: the file was damaged after it was written."""
    digits_start = size - _DIGEST_SIZE
    if digits_start - len(_CHECKSUM_LABEL) < 0:
        return False
    f.seek(digits_start - len(_CHECKSUM_LABEL))
    tail = f.read(len(_CHECKSUM_LABEL) + _DIGEST_SIZE)
    if not tail.startswith(_CHECKSUM_LABEL):
        return False  # a file of version 1, or damaged here; its header tells which
    if _sha256_of_start(f, digits_start) != tail[len(_CHECKSUM_LABEL) :]:
        raise CheckpointError(
            f"load: {path!r} is truncated or corrupt (its bytes do not match the SHA-256 "
            "written at its end)"
        )
    return True


def _read_archive(archive: zipfile.ZipFile, size: int, path: str, has_checksum: bool) -> dict:
    entries = _entries(archive, size, path)
    if _MARKER not in entries:
        raise CheckpointError(f"load: {path!r} is an .npz file but not a minigrad checkpoint")
    header = _read_header(archive, entries.pop(_MARKER), path, has_checksum)
    out = _unflatten(header["tree"], archive, entries, path)
    if entries:
        raise CheckpointError(
            f"load: {path!r} has a damaged checkpoint header (no key names the arrays "
            f"{sorted(entries)})"
        )
    return out


def _entries(archive: zipfile.ZipFile, size: int, path: str) -> dict[str, zipfile.ZipInfo]:
    """The archive's entries by array name, checked before any is read."""
    entries = {}
    for info in archive.infolist():
        name = info.filename.removesuffix(".npy")
        if name == info.filename or name in entries:
            raise CheckpointError(
                f"load: {path!r} is truncated or corrupt (an entry {info.filename!r} "
                "that is not an array, or is there twice)"
            )
        if info.compress_type != zipfile.ZIP_STORED:
            # save never compresses; a compressed entry could unpack to far more bytes
            # than the file holds (a "zip bomb")
            raise CheckpointError(
                f"load: {path!r} has a compressed entry {info.filename!r}; mg.save writes "
                "none, and mg.load reads none"
            )
        entries[name] = info
    # Stored entries hold their bytes in the file, so together they cannot hold more;
    # checking this bounds everything load allocates by the size of the file.
    claimed = sum(info.file_size for info in entries.values())
    if claimed > size:
        raise CheckpointError(
            f"load: {path!r} is truncated or corrupt (its entries claim {claimed:,} bytes; "
            f"the file has {size:,})"
        )
    return entries


def _read_header(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: str, has_checksum: bool
) -> dict:
    if info.file_size > MAX_HEADER_BYTES:
        raise CheckpointError(
            f"load: {path!r} has a key tree of {info.file_size:,} bytes, more than "
            f"MAX_HEADER_BYTES ({MAX_HEADER_BYTES:,})"
        )
    text = _read_array(archive, info, path)
    if text.dtype.kind != "U" or text.shape != ():
        raise CheckpointError(f"load: {path!r} has a damaged checkpoint header")
    text = str(text)
    # counted before json.loads, which would recurse once per level
    if _json_depth(text, stop_after=MAX_KEY_DEPTH + 1) > MAX_KEY_DEPTH + 1:
        raise CheckpointError(
            f"load: {path!r} has keys nested more than MAX_KEY_DEPTH ({MAX_KEY_DEPTH}) levels deep"
        )
    try:
        header = json.loads(text)
    except ValueError as err:
        raise CheckpointError(f"load: {path!r} has a damaged checkpoint header") from err
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise CheckpointError(f"load: {path!r} is not a minigrad checkpoint")
    version = header.get("version")
    if type(version) is not int or not 1 <= version <= VERSION:
        raise CheckpointError(
            f"load: {path!r} has checkpoint format version {version!r}; this minigrad "
            f"reads versions 1 to {VERSION}"
        )
    if version >= 2 and not has_checksum:
        raise CheckpointError(
            f"load: {path!r} is truncated or corrupt (the SHA-256 that ends every file of "
            "version 2 is missing or damaged)"
        )
    if not isinstance(header.get("tree"), dict):
        raise CheckpointError(f"load: {path!r} has a damaged checkpoint header")
    return header


# a JSON string, or an unterminated one as far as it goes (so the scan stays linear)
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"?', re.S)


def _json_depth(text: str, stop_after: int) -> int:
    """How deep ``[`` and ``{`` nest in the JSON ``text`` (brackets inside strings do not
    count), or a number above ``stop_after`` as soon as the nesting passes it."""
    depth = deepest = 0
    for bracket in re.finditer(r"[\[\]{}]", _JSON_STRING.sub("", text)):
        depth += 1 if bracket.group() in "[{" else -1
        deepest = max(deepest, depth)
        if deepest > stop_after:
            break
    return deepest


def _read_array(archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: str) -> np.ndarray:
    """The array in one .npy entry, read only once its header is known to fit the entry."""
    with archive.open(info) as entry:
        version = np.lib.format.read_magic(entry)
        if version == (1, 0):
            shape, _, dtype = np.lib.format.read_array_header_1_0(entry)
        elif version in [(2, 0), (3, 0)]:
            # 3.0 is 2.0 with its header in UTF-8 (for field names beyond Latin-1); read
            # as Latin-1 such names come out garbled, but the shape and the item size,
            # all that is checked here, do not change
            shape, _, dtype = np.lib.format.read_array_header_2_0(entry)
        else:
            raise CheckpointError(
                f"load: {path!r} is truncated or corrupt (entry {info.filename!r} has .npy "
                f"format version {version})"
            )
        data_start = entry.tell()
    if dtype.hasobject:
        raise CheckpointError(
            f"load: {path!r} holds object arrays (pickled data), which are never loaded"
        )
    count = math.prod(shape)
    if min(shape, default=0) < 0 or count > MAX_ARRAY_ELEMENTS:
        raise CheckpointError(
            f"load: {path!r} has an array of shape {shape}; an array may have at most "
            f"MAX_ARRAY_ELEMENTS ({MAX_ARRAY_ELEMENTS:,}) elements"
        )
    if data_start + count * dtype.itemsize != info.file_size:
        raise CheckpointError(
            f"load: {path!r} is truncated or corrupt (entry {info.filename!r} claims "
            f"{count:,} items of {dtype.itemsize} bytes but holds "
            f"{info.file_size - data_start:,} bytes of data)"
        )
    with archive.open(info) as entry:
        return np.lib.format.read_array(entry, allow_pickle=False)


def _unflatten(tree: dict, archive: zipfile.ZipFile, unread: dict, path: str) -> dict:
    """The nested dict of ``tree``, each array read from the entry its leaf names, which
    is taken out of ``unread`` (so no entry is named twice)."""
    out = {}
    for key, leaf in tree.items():
        if isinstance(leaf, dict):
            out[key] = _unflatten(leaf, archive, unread, path)
        elif isinstance(leaf, str) and leaf in unread:
            out[key] = _read_array(archive, unread.pop(leaf), path)
        else:
            raise CheckpointError(f"load: {path!r} has a damaged checkpoint header")
    return out
