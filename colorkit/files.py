"""Files written and read safely: atomic writes, SHA-256 checksums, verified resumable downloads.

Used by notebook ``01_data_prep`` through :func:`colorkit.data.prepare` (prepared shards are written atomically, downloads verified) and
by every layer that writes or checks a file (data, checkpoints, exports). It imports nothing from colorkit.
"""
from __future__ import annotations

import hashlib
import logging
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger(__name__)


class ChecksumMismatchError(RuntimeError):
    """A file's SHA-256 is not the one it was promised to have."""


def file_digest(path: str | os.PathLike, algorithm: str = "sha256", chunk: int = 1 << 20) -> str:
    """The hex digest of a file (``hashlib`` algorithm name), read in chunks."""
    h = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(chunk), b""):
            h.update(block)
    return h.hexdigest()


def file_sha256(path: str | os.PathLike, chunk: int = 1 << 20) -> str:
    return file_digest(path, "sha256", chunk)


def verify_sha256(path: str | os.PathLike, expected: str | None) -> None:
    """Raise :class:`ChecksumMismatchError` unless ``path`` hashes to ``expected`` (skip if None)."""
    if not expected:
        return
    got = file_sha256(path)
    if got.lower() != expected.lower():
        raise ChecksumMismatchError(
            f"{path}: SHA-256 is {got}, expected {expected}. The file is damaged or was replaced: "
            "delete it and download again, or check the checksum you were given."
        )


@contextmanager
def atomic_path(path: str | os.PathLike, fsync: bool = True) -> Iterator[Path]:
    """Yield a temporary path in the folder of ``path`` for a writer that needs a path (or opens one itself,
    e.g. ``np.savez`` into an open file); when the block ends it is fsynced (unless ``fsync=False``) and
    moved onto ``path`` with ``os.replace``. On any error the temporary file is removed and the old
    ``path`` is left as it was. Temporary names look like ``.<name>.<pid>-<random>.tmp``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # a fresh name, not mkstemp: the writer creates the file, with the usual permissions (umask), not 0600
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{uuid.uuid4().hex[:12]}.tmp")
    try:
        yield Path(tmp)
        if fsync:
            with open(tmp, "rb+") as f:
                os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write via a temporary file in the same folder, fsync, then ``os.replace``: a reader never sees
    a half-written file and an interrupted write leaves the old file intact."""
    with atomic_path(path) as tmp, open(tmp, "wb") as f:
        f.write(data)


# --- downloads -------------------------------------------------------------------------------------
def verify_file(path: str | os.PathLike, size: int | None = None, md5: str | None = None,
                sha256: str | None = None) -> None:
    """Raise :class:`ChecksumMismatchError` unless the file has the given size / MD5 / SHA-256 (None: not checked)."""
    path = Path(path)
    if size is not None and path.stat().st_size != size:
        raise ChecksumMismatchError(f"{path}: {path.stat().st_size} bytes, expected {size}: incomplete or replaced")
    if md5 and file_digest(path, "md5") != md5.lower():
        raise ChecksumMismatchError(f"{path}: MD5 differs from the published {md5}: the file is damaged; "
                                    "it was deleted, download it again")
    if sha256:
        got = file_sha256(path)
        if got != sha256.lower():
            raise ChecksumMismatchError(f"{path}: SHA-256 is {got}, expected {sha256}: the file is damaged; "
                                        "it was deleted, download it again")


def _open_url(url: str, part: Path, have: int, size: int | None, timeout: float):
    """The response for the rest of ``url`` after ``have`` bytes (a Range request), or None when the
    partial file is already complete. Raises ConnectionError with a message naming the fix."""
    import urllib.error
    import urllib.request

    if size is not None and have == size:
        return None
    req = urllib.request.Request(url, headers={"User-Agent": "colorkit"})
    if have:
        req.add_header("Range", f"bytes={have}-")
    try:
        return urllib.request.urlopen(req, timeout=timeout)
    except urllib.error.HTTPError as e:
        if e.code == 416 and have:  # the partial file is already complete
            return None
        raise ConnectionError(f"could not download {url}: HTTP {e.code} {e.reason}. Check the address, "
                              "or download the file yourself and pass its path") from None
    except (urllib.error.URLError, OSError) as e:
        raise ConnectionError(f"could not download {url}: cannot reach it ({e}); check the address and the network "
                              f"(partial data is kept in {part} and the next call resumes it), or download "
                              "the file yourself and pass its path") from None


def _receive(url: str, resp, part: Path, have: int, size: int | None, progress: bool, chunk: int) -> None:
    """Append (or, if the server ignored the Range request, write) the body of ``resp`` to ``part``."""
    import http.client

    from tqdm.auto import tqdm

    with resp:
        if have and getattr(resp, "status", 200) != 206:  # the server ignored Range: start over
            have = 0
        length = resp.headers.get("Content-Length")
        total = have + int(length) if length is not None else size
        with open(part, "ab" if have else "wb") as f, tqdm(total=total, initial=have, unit="B", unit_scale=True,
                                                          unit_divisor=1024, desc=part.name[:-5], disable=not progress) as bar:
            while True:
                try:
                    block = resp.read(chunk)
                except (http.client.IncompleteRead, OSError) as e:
                    if isinstance(e, http.client.IncompleteRead) and e.partial:
                        f.write(e.partial)
                    break  # keep what arrived; the size check below reports it
                if not block:
                    break
                f.write(block)
                bar.update(len(block))
            f.flush()
            os.fsync(f.fileno())
    if total is not None and part.stat().st_size < total:
        raise ConnectionError(f"download of {url} stopped at {part.stat().st_size} of {total} bytes; "
                              "call again to resume")


def download(url: str, dest: str | os.PathLike, sha256: str | None = None, progress: bool = True, *,
             size: int | None = None, md5: str | None = None, timeout: float = 30.0, chunk: int = 1 << 20) -> Path:
    """Download ``url`` to ``dest`` (the one downloader of colorkit: datasets and models) and return ``dest``.

    An existing ``dest`` that passes the checks (``size``, ``md5``, ``sha256``; none given: any file) is
    reused at once; one that fails them is deleted and downloaded again. Data arrives in ``dest + '.part'``
    with a progress bar; an interrupted download keeps it and the next call resumes it with an HTTP
    ``Range`` request. The finished file is verified, then renamed into place (``os.replace``): ``dest``
    is never a partial or unverified file. A failed check deletes the download and raises
    :class:`ChecksumMismatchError`; network failures raise ``ConnectionError`` saying what to do.
    """
    dest = Path(dest)
    if dest.exists():
        try:
            verify_file(dest, size, md5, sha256)
            return dest
        except ChecksumMismatchError:
            log.warning("%s does not match the expected size or checksum; downloading it again", dest)
            dest.unlink()
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    have = part.stat().st_size if part.exists() else 0
    if size is not None and have > size:
        part.unlink()
        have = 0
    resp = _open_url(url, part, have, size, timeout)
    if resp is not None:
        _receive(url, resp, part, have, size, progress, chunk)
    try:
        verify_file(part, size, md5, sha256)
    except ChecksumMismatchError as e:
        part.unlink()
        raise ChecksumMismatchError(f"{url}: the download was refused and deleted: {e}. The file on the server "
                                    "is not the one you were promised (tampered, replaced or damaged).") from None
    os.replace(part, dest)
    return dest
