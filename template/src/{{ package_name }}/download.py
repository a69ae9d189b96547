"""Download a file or an archive once: checksum-verified, atomic, cached, safely extracted.

pooch streams into a temporary file next to the target and renames it only after the SHA-256
matched, so an interrupted or corrupted download never looks complete; a cached file whose hash
matches is not downloaded again. Archives (zip, tar, tar.gz) are checked member by member before
anything is extracted: absolute paths, ``..``, links and special files are refused. Only the
wanted members are moved into place (nothing else in the folder is touched), an optional
``check`` reads them there, and an extraction that finished is remembered, so a second run neither
downloads nor extracts anything. Whatever is refused (an unsafe, damaged or unexpected archive, or
members the check rejects) raises one line, deletes the archive and leaves the folder as it was.
"""

from __future__ import annotations

import gzip
import hashlib
import lzma
import shutil
import stat
import sys
import tarfile
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path, PurePosixPath

from .errors import DownloadError, ProjectError
from .paths import resolve, shown

OFFLINE_HINT = (
    "check the network or set data.url in configs/default.yaml to a mirror; the shipped sample "
    "still works with DATA=sample"
)
ARCHIVE_HINT = "point data.url and data.sha256 in configs/default.yaml at the original archive"


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def fetch(
    url: str,
    directory: Path,
    *,
    sha256: str | None = None,
    fname: str | None = None,
    extract: Sequence[str] | None = None,
    check: Callable[[Path], object] | None = None,
) -> Path:
    """Download ``url`` into ``directory`` and return the file, or with ``extract`` the directory.

    ``sha256`` is the expected checksum (``None`` skips the check: use it only for data you trust).
    ``extract`` names archive members to keep (files, or folders with everything under them),
    e.g. ``["ml-100k/u.data", "ml-100k/u.item"]`` or ``["aclImdb"]``; they land at the same
    relative paths under ``directory``; nothing else there is touched. ``check(directory)`` runs
    once they are in place and may raise a :class:`ProjectError` (e.g. a loader's ``DataError``)
    to reject them: the members are then removed again, what they replaced is put back and the
    archive is deleted. Raises :class:`DownloadError` with one line on failure.
    """
    fname = fname or url.rstrip("/").rsplit("/", 1)[-1]
    directory.mkdir(parents=True, exist_ok=True)
    archive = directory / fname
    marker = directory / f".{fname}.extracted"
    if extract is not None and _extracted(marker, archive, sha256, extract, directory):
        return directory
    path = _retrieve(url, directory, fname, sha256)
    if extract is None:
        return path
    try:
        unpack(path, directory, extract, check)
    except ProjectError:
        path.unlink(missing_ok=True)  # a rejected archive is not left behind to be trusted later
        raise
    marker.write_text("\n".join([file_sha256(path), *extract]) + "\n", encoding="utf-8")
    return directory


def is_url(source: str) -> bool:
    """Is a data source a URL (``http``, ``https`` or ``ftp``) rather than a local path?"""
    return source.split("://", 1)[0].lower() in ("http", "https", "ftp") and "://" in source


def is_archive(path: Path) -> bool:
    """Is ``path`` a zip or tar archive (by its content, not its name)?"""
    return zipfile.is_zipfile(path) or tarfile.is_tarfile(path)


def obtain(
    source: str,
    directory: Path,
    *,
    sha256: str | None = None,
    extract: Sequence[str] = (),
    check: Callable[[Path], object] | None = None,
    key: str = "data.source",
) -> Path:
    """Get a data source, a URL or a local path, archive or plain file; return where it lies.

    A URL is downloaded into ``directory`` (see :func:`fetch`); a local file or folder is used
    where it is, after its optional ``sha256`` matched. An archive (zip or tar, told by its
    content) has its ``extract`` members moved into ``directory``, which is returned; a plain
    file is returned itself, a folder too. ``check(path)`` reads the result and may raise a
    :class:`ProjectError`: a file downloaded this time is then deleted, so nothing rejected or
    half-downloaded is left to be trusted later. ``key`` names the setting in messages.
    """
    if is_url(source):
        fname = source.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
        marker = directory / f".{fname}.extracted"
        if extract and _extracted(marker, directory / fname, sha256, extract, directory):
            return directory
        path = _retrieve(source, directory, fname, sha256)
    else:
        path = resolve(source)
        if not path.exists():
            raise DownloadError(f"{source} not found (set {key} to a URL or an existing path)")
        actual = file_sha256(path) if sha256 and path.is_file() else None
        if sha256 and actual != sha256.lower():
            setting = f"{key.rpartition('.')[0] or 'data'}.sha256"
            raise DownloadError(
                f"{shown(path)}: SHA-256 {actual} is not the expected {sha256.lower()} "
                f"(set {setting} to the file's checksum, or to null to skip the check)"
            )
    if path.is_file() and is_archive(path):
        if not extract:
            raise DownloadError(f"{shown(path)} is an archive: name the files to use in it")
        downloaded = is_url(source)
        return fetch_local_archive(path, directory, sha256, extract, check, downloaded=downloaded)
    try:
        if check is not None:
            check(path)
    except ProjectError:
        if is_url(source):
            path.unlink(missing_ok=True)
        raise
    return path


def fetch_local_archive(
    archive: Path,
    directory: Path,
    sha256: str | None,
    extract: Sequence[str],
    check: Callable[[Path], object] | None,
    *,
    downloaded: bool,
) -> Path:
    """Extract ``extract`` from an archive already on disk into ``directory`` (once)."""
    directory.mkdir(parents=True, exist_ok=True)
    marker = directory / f".{archive.name}.extracted"
    if _extracted(marker, archive, sha256, extract, directory):
        return directory
    try:
        unpack(archive, directory, extract, check)
    except ProjectError:
        if downloaded:  # a rejected download is not left behind; a user's own file is kept
            archive.unlink(missing_ok=True)
        raise
    marker.write_text("\n".join([file_sha256(archive), *extract]) + "\n", encoding="utf-8")
    return directory


def _extracted(
    marker: Path, archive: Path, sha256: str | None, extract: Sequence[str], directory: Path
) -> bool:
    """Did an earlier run extract these members from this very archive?"""
    if not (marker.is_file() and archive.is_file()):
        return False
    recorded = marker.read_text(encoding="utf-8").splitlines()
    expected = sha256.lower() if sha256 else file_sha256(archive)
    return recorded == [expected, *extract] and all((directory / m).exists() for m in extract)


def _retrieve(url: str, directory: Path, fname: str, sha256: str | None) -> Path:
    """pooch's download: temporary file, hash check, rename; cached when the hash matches."""
    import pooch
    import requests

    pooch.get_logger().setLevel("WARNING")
    try:
        return Path(
            pooch.retrieve(
                url,
                known_hash=f"sha256:{sha256.lower()}" if sha256 else None,
                fname=fname,
                path=directory,
                progressbar=sys.stderr.isatty(),  # a bar for people, none in logs and CI
            )
        )
    except ValueError as err:  # pooch: the hash does not match; it deleted the download
        raise DownloadError(f"{url}: {' '.join(str(err).split())}") from None
    except requests.RequestException as err:  # offline, DNS, refused, HTTP 4xx/5xx
        raise DownloadError(f"could not download {url} ({_reason(err)}): {OFFLINE_HINT}") from None
    except OSError as err:  # disk full, permissions
        raise DownloadError(f"could not write {directory / fname}: {err.strerror or err}") from None


def _reason(err: Exception) -> str:
    response = getattr(err, "response", None)
    if response is not None and getattr(response, "status_code", None):
        return f"HTTP {response.status_code}"
    return type(err).__name__


def unsafe_name(name: str) -> str | None:
    """Why an archive member's name is unsafe to extract, or ``None`` if it is fine."""
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or name.startswith(("/", "\\")) or ":" in (path.parts or ("",))[0]:
        return "absolute path"
    if ".." in path.parts:
        return "'..' in path"
    return None


def _check(names: Iterable[tuple[str, str | None]], archive: Path) -> None:
    for name, problem in names:
        problem = unsafe_name(name) or problem
        if problem:
            raise DownloadError(
                f"{shown(archive)}: refused unsafe member {name!r}, {problem} ({ARCHIVE_HINT})"
            )


def _zip_kind(info: zipfile.ZipInfo) -> str | None:
    # Unix tools store the file type in the high bits; many writers leave it 0 (a plain file).
    kind = stat.S_IFMT(info.external_attr >> 16)
    if kind and kind not in (stat.S_IFREG, stat.S_IFDIR):
        return "link or special file"
    return None


def _tar_kind(member: tarfile.TarInfo) -> str | None:
    return None if member.isfile() or member.isdir() else "link or special file"


def _wanted(name: str, extract: Sequence[str]) -> bool:
    name = name.rstrip("/")
    return any(name == m or name.startswith(m.rstrip("/") + "/") for m in extract)


def _one_line(err: BaseException) -> str:
    return " ".join(str(err).split()) or type(err).__name__


def _extract(archive: Path, staging: Path, extract: Sequence[str]) -> None:
    """Check every member of ``archive``, then extract the wanted ones into ``staging``."""
    try:
        if zipfile.is_zipfile(archive):
            with zipfile.ZipFile(archive) as zf:
                infos = zf.infolist()
                _check(((i.filename, _zip_kind(i)) for i in infos), archive)
                zf.extractall(staging, [i for i in infos if _wanted(i.filename, extract)])
        elif tarfile.is_tarfile(archive):
            with tarfile.open(archive) as tar:
                members = tar.getmembers()
                _check(((m.name, _tar_kind(m)) for m in members), archive)
                wanted = [m for m in members if _wanted(m.name, extract)]
                if hasattr(tarfile, "data_filter"):  # Python >= 3.11.4: a second guard
                    tar.extractall(staging, wanted, filter="data")
                else:  # the members were checked above
                    tar.extractall(staging, wanted)
        else:
            raise DownloadError(f"{shown(archive)}: not a zip or tar archive ({ARCHIVE_HINT})")
    except (
        zipfile.BadZipFile,
        tarfile.TarError,
        gzip.BadGzipFile,
        zlib.error,
        lzma.LZMAError,
        EOFError,
        NotImplementedError,  # a zip compression method Python lacks
    ) as err:
        raise DownloadError(
            f"{shown(archive)}: damaged archive, {_one_line(err)} ({ARCHIVE_HINT})"
        ) from None
    except OSError as err:
        if err.errno is None:  # raised by a decompressor, not by the file system
            raise DownloadError(
                f"{shown(archive)}: damaged archive, {_one_line(err)} ({ARCHIVE_HINT})"
            ) from None
        raise DownloadError(
            f"{shown(archive)}: could not extract it, {err.strerror or err} (free some disk space "
            "or fix the folder's permissions)"
        ) from None


def unpack(
    archive: Path,
    directory: Path,
    extract: Sequence[str],
    check: Callable[[Path], object] | None = None,
) -> None:
    """Check every member of a zip or tar archive, then move the ``extract`` members into place.

    Only those members are moved: other files in ``directory`` are never replaced. What they
    replace is kept aside until ``check(directory)`` (if given) has accepted them, and put back
    if anything fails.
    """
    with tempfile.TemporaryDirectory(dir=directory, prefix=".extract-") as tmp:
        staging, previous = Path(tmp) / "new", Path(tmp) / "old"
        staging.mkdir()
        _extract(archive, staging, extract)
        missing = [m for m in extract if not (staging / m).exists()]
        if missing:
            raise DownloadError(f"{shown(archive)}: has no {', '.join(missing)} ({ARCHIVE_HINT})")
        created = [p for p in _parents(directory, extract) if not p.exists()]
        kept: list[str] = []  # set aside in previous/
        placed: list[str] = []  # moved into place
        try:
            for member in extract:
                target = directory / member
                if target.exists() or target.is_symlink():
                    (previous / member).parent.mkdir(parents=True, exist_ok=True)
                    target.replace(previous / member)
                    kept.append(member)
                target.parent.mkdir(parents=True, exist_ok=True)
                (staging / member).replace(target)
                placed.append(member)
            if check is not None:
                check(directory)
        except BaseException:
            _restore(directory, previous, placed, kept, created)
            raise


def _parents(directory: Path, extract: Sequence[str]) -> list[Path]:
    """The folders between ``directory`` and each member, deepest first."""
    parents = {directory / parent for m in extract for parent in PurePosixPath(m).parents}
    parents.discard(directory)
    return sorted(parents, key=lambda p: len(p.parts), reverse=True)


def _restore(
    directory: Path, previous: Path, placed: Sequence[str], kept: Sequence[str], created: list[Path]
) -> None:
    """Undo a rejected extraction: remove the new members, put back what they replaced."""
    for member in placed:
        target = directory / member
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        else:
            target.unlink(missing_ok=True)
    for member in kept:
        (previous / member).replace(directory / member)
    for folder in created:  # deepest first
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
