"""`folder:PATH` stills: images made elsewhere (Midjourney downloads, paintovers) as takes.

Files are matched to shots by a manifest (`manifest.toml` or `manifest.csv` in the folder) or,
failing that, by name: a file whose name starts with the shot id (case-insensitive), followed by
the end of the stem or a separator — `sc01_sh010.png`, `SC01_SH010_v2.png`, `sc01_sh010-mj.png`.
Several files for a shot are its takes, in name order (manifest order where a manifest lists
them). A Midjourney PNG carries its prompt and job id in its text chunks, EXIF or XMP; they go
into the take's provenance.
"""

from __future__ import annotations

import csv
import hashlib
import re
import tomllib
from pathlib import Path
from typing import ClassVar

import cv2
import numpy as np
from PIL import Image, UnidentifiedImageError

from storyreel.backends import Argument
from storyreel.errors import StoryreelError
from storyreel.model import Shot, Still
from storyreel.stills.base import StillRequest, StillsBackend

IMAGE_EXTS = (".png", ".jpg", ".jpeg", ".webp")
VIDEO_EXTS = (".mp4", ".mov", ".m4v", ".webm", ".mkv")
_JOB_ID = re.compile(r"\s*Job ID:\s*([0-9a-fA-F-]{16,})\s*$")
_XMP_DESC = re.compile(r"<dc:description>.*?<rdf:li[^>]*>(.*?)</rdf:li>", re.S)


def fit_cover(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Scale `image` to cover `size` (width, height), then crop the centre: no bars, no stretch."""
    h, w = image.shape[:2]
    tw, th = size
    if (w, h) == (tw, th):
        return np.array(image)  # a copy: never a view of a caller's (or a read-only mapped) array
    scale = max(tw / w, th / h)
    nw, nh = max(tw, round(w * scale)), max(th, round(h * scale))
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    resized = cv2.resize(image, (nw, nh), interpolation=interp)
    x0, y0 = (nw - tw) // 2, (nh - th) // 2
    return np.ascontiguousarray(resized[y0 : y0 + th, x0 : x0 + tw])


def image_metadata(img: Image.Image) -> dict[str, str]:
    """The prompt, job id and author a generator embedded (PNG text, EXIF or XMP), where present."""
    info = {str(k).lower(): v for k, v in img.info.items() if isinstance(v, str)}
    text = info.get("description") or info.get("comment") or info.get("parameters") or ""
    if not text:
        desc = img.getexif().get(0x010E)  # ImageDescription
        text = desc.decode("utf-8", "replace") if isinstance(desc, bytes) else (desc or "")
    if not text:
        xmp = info.get("xml:com.adobe.xmp") or info.get("xmp") or ""
        if not xmp and isinstance(img.info.get("xmp"), bytes):
            xmp = img.info["xmp"].decode("utf-8", "replace")
        found = _XMP_DESC.search(xmp)
        text = found.group(1) if found else ""
    meta: dict[str, str] = {}
    job = _JOB_ID.search(text)
    if job:
        meta["job_id"] = job.group(1)
        text = text[: job.start()]
    if text.strip():
        meta["prompt"] = text.strip()
    if info.get("author"):
        meta["author"] = info["author"]
    return meta


def read_image(path: Path) -> tuple[np.ndarray, dict[str, str]]:
    """An image file as RGB uint8 and its embedded metadata; a broken file names itself."""
    try:
        with Image.open(path) as img:
            meta = image_metadata(img)
            rgb = np.asarray(img.convert("RGB"))
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as e:
        raise StoryreelError(f"not a readable image ({e.__class__.__name__}: {e})", path) from None
    return rgb, meta


def _manifest(folder: Path) -> dict[str, list[str]]:
    """Shot id (lower case) → file names, from `manifest.toml` or `manifest.csv`; every name is
    of a file inside the folder (no absolute path, no `..` or link leading out)."""
    mapping: dict[str, list[str]] = {}
    toml_path, csv_path = folder / "manifest.toml", folder / "manifest.csv"
    if toml_path.exists():
        try:
            text = toml_path.read_text(encoding="utf-8")
            data = tomllib.loads(text)
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
            raise StoryreelError(f"not a valid manifest: {e}", toml_path) from None
        shots = data.get("shots", data)
        for shot_id, files in shots.items():
            if isinstance(files, str):
                files = [files]
            if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
                raise StoryreelError(
                    f"shot {shot_id!r}: expected a file name or a list of them", toml_path
                )
            for name in files:
                _confine(folder, name, toml_path, _line_naming(text, name))
            mapping.setdefault(shot_id.lower(), []).extend(files)
    elif csv_path.exists():
        with csv_path.open(newline="", encoding="utf-8") as f:
            rows = csv.reader(f)
            for line, row in enumerate(rows, start=1):
                cells = [c.strip() for c in row]
                if not any(cells) or (
                    line == 1 and [c.lower() for c in cells[:2]] == ["file", "shot"]
                ):
                    continue
                if len(cells) < 2 or not cells[0] or not cells[1]:
                    raise StoryreelError("expected two columns: file, shot", csv_path, line)
                _confine(folder, cells[0], csv_path, line)
                mapping.setdefault(cells[1].lower(), []).append(cells[0])
    return mapping


def _confine(folder: Path, name: str, manifest: Path, line: int | None) -> None:
    if not (folder / name).resolve().is_relative_to(folder.resolve()):
        raise StoryreelError(
            f"{name!r} is outside the folder; a manifest names files in its own folder",
            manifest,
            line,
        )


def _line_naming(text: str, name: str) -> int | None:
    """The first line of a TOML text that holds `name` as a string."""
    quoted = (f'"{name}"', f"'{name}'")
    return next(
        (n for n, line in enumerate(text.splitlines(), 1) if any(q in line for q in quoted)), None
    )


def find_takes(folder: Path, shot_id: str, exts: tuple[str, ...]) -> list[Path]:
    """The files in `folder` that are takes of `shot_id`, in take order."""
    if not folder.is_dir():
        raise StoryreelError("import folder not found", folder)
    listed = _manifest(folder).get(shot_id.lower())
    if listed:
        paths = [folder / name for name in listed]
        for p in paths:
            if not p.is_file():
                raise StoryreelError(
                    f"the manifest names {p.name}, which is not in the folder", folder
                )
        return [p for p in paths if p.suffix.lower() in exts]
    stem = re.compile(rf"^{re.escape(shot_id.lower())}(?:$|[^a-z0-9])")
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and p.suffix.lower() in exts and stem.match(p.stem.lower())
    )


def pick_take(folder: Path, shot_id: str, take: int, exts: tuple[str, ...], what: str) -> Path:
    """The file for take `take` of a shot, or an error naming the shot and the folder."""
    files = find_takes(folder, shot_id, exts)
    if not files:
        raise StoryreelError(
            f"no {what} for shot {shot_id} (expected a file named {shot_id}*{exts[0]} "
            "or a manifest entry)",
            folder,
        )
    if take >= len(files):
        raise StoryreelError(
            f"shot {shot_id}: take {take + 1} asked for, but the folder has {len(files)} "
            f"{what} for it ({', '.join(p.name for p in files)})",
            folder,
        )
    return files[take]


def files_token(files: list[Path]) -> str:
    """A digest of files' names, sizes and modification times: replacing one changes it."""
    h = hashlib.sha256()
    for p in files:
        st = p.stat()
        h.update(f"{p.name}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:16]


FOLDER = Argument(
    "folder", "the folder of exports, relative to the project", "exports/", required=True
)


def resolve_folder(arg: str, project_root: Path | None) -> Path:
    folder = Path(arg).expanduser()
    return folder if folder.is_absolute() or project_root is None else project_root / folder


class FolderStills(StillsBackend):
    """Stills from a folder of images, one take a file."""

    name: ClassVar[str] = "folder"
    version: ClassVar[str] = "1"
    argument: ClassVar[Argument | None] = FOLDER

    def __init__(self, path: str | None = None):
        self.path, _ = self.check(path)

    def cache_token(self, shot: Shot, root: Path | None) -> str:
        return files_token(find_takes(resolve_folder(self.path, root), shot.id, IMAGE_EXTS))

    def generate(self, request: StillRequest) -> Still:
        folder = resolve_folder(self.path, request.project_root)
        file = pick_take(folder, request.shot.id, request.take, IMAGE_EXTS, "image")
        rgb, meta = read_image(file)
        return Still(
            image=fit_cover(rgb, request.size),
            meta={
                "prompt": meta.get("prompt"),
                "remote_id": meta.get("job_id"),
                "params": {
                    "file": file.name,
                    "source_size": [rgb.shape[1], rgb.shape[0]],
                    **({"author": meta["author"]} if "author" in meta else {}),
                },
                "source": str(file),
            },
        )
