"""Folder imports: Midjourney stills and Kling clips matched to shots, conformed to the timeline."""

from __future__ import annotations

import pickle
from fractions import Fraction

import numpy as np
import pytest
from PIL import Image, PngImagePlugin

from storyreel.backends import load_backend
from storyreel.errors import StoryreelError
from storyreel.motion.folder import FolderMotion, conform_video
from storyreel.stills.folder import FolderStills
from tests.hosted.film import SRC_FRAMES, H, W, clip_request, make_mp4, source_frame, still_request

JOB = "0b5c7a86-3f4e-4b8a-9d2e-7c1f6a5b4e3d"
PROMPT = "a woman in a grey coat on a rooftop at night, city lights --ar 21:9 --v 6.1"


def midjourney_png(path, color=(30, 90, 160), how="text"):
    """A PNG carrying its prompt the way Midjourney downloads do (text chunk), or as EXIF/XMP."""
    img = Image.new("RGB", (168, 72), color)
    if how == "text":
        info = PngImagePlugin.PngInfo()
        info.add_text("Description", f"{PROMPT} Job ID: {JOB}")
        info.add_text("Author", "director")
        img.save(path, pnginfo=info)
    elif how == "xmp":
        info = PngImagePlugin.PngInfo()
        xmp = (
            '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description><dc:description><rdf:Alt>'
            f'<rdf:li xml:lang="x-default">{PROMPT} Job ID: {JOB}</rdf:li></rdf:Alt></dc:description>'
            "</rdf:Description></rdf:RDF></x:xmpmeta>"
        )
        info.add_itxt("XML:com.adobe.xmp", xmp)
        img.save(path, pnginfo=info)
    elif how == "exif":
        exif = Image.Exif()
        exif[0x010E] = f"{PROMPT} Job ID: {JOB}"
        img.save(path, exif=exif)
    else:
        img.save(path)


@pytest.fixture
def exports(tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    return folder


@pytest.mark.parametrize("how,suffix", [("text", ".png"), ("xmp", ".png"), ("exif", ".jpg")])
def test_midjourney_still_becomes_a_take_with_its_prompt_and_job_id(exports, how, suffix):
    midjourney_png(exports / f"sc01_sh010{suffix}", how=how)
    still = load_backend("stills", "folder:exports").generate(still_request(exports.parent))
    assert still.image.shape == (H, W, 3)
    assert np.abs(still.image[H // 2, W // 2].astype(int) - (30, 90, 160)).max() <= 3
    assert still.meta["prompt"] == PROMPT
    assert still.meta["remote_id"] == JOB
    assert still.meta["params"]["file"] == f"sc01_sh010{suffix}"


def test_takes_follow_name_order_and_ignore_other_shots(exports):
    midjourney_png(exports / "sc01_sh010_a.png", color=(10, 10, 10), how="plain")
    midjourney_png(exports / "SC01_SH010-b.png", color=(250, 250, 250), how="plain")
    midjourney_png(exports / "sc01_sh0100.png", color=(0, 255, 0), how="plain")  # another shot
    backend = FolderStills(str(exports))
    first = backend.generate(still_request(take=0))
    second = backend.generate(still_request(take=1))
    assert first.image.mean() > 200 and second.image.mean() < 20  # "SC01..." sorts before "sc01..."
    assert first.meta["prompt"] is None
    with pytest.raises(StoryreelError, match="take 3 asked for, but the folder has 2"):
        backend.generate(still_request(take=2))


def test_a_manifest_maps_files_to_shots(exports):
    midjourney_png(exports / "grid_u1.png", color=(200, 0, 0), how="plain")
    midjourney_png(exports / "grid_u2.png", color=(0, 0, 200), how="plain")
    (exports / "manifest.toml").write_text('[shots]\nSC01_SH010 = ["grid_u2.png", "grid_u1.png"]\n')
    still = FolderStills(str(exports)).generate(still_request())
    assert tuple(still.image[5, 5]) == (0, 0, 200)
    (exports / "manifest.toml").unlink()
    (exports / "manifest.csv").write_text("file,shot\ngrid_u1.png,sc01_sh010\n")
    assert tuple(FolderStills(str(exports)).generate(still_request()).image[5, 5]) == (200, 0, 0)
    (exports / "manifest.csv").write_text("file,shot\ngrid_u1.png\n")
    with pytest.raises(StoryreelError) as err:
        FolderStills(str(exports)).generate(still_request())
    assert str(err.value).endswith("manifest.csv:2: expected two columns: file, shot")


def test_a_manifest_naming_a_missing_file_says_so(exports):
    (exports / "manifest.toml").write_text('sc01_sh010 = "gone.png"\n')
    with pytest.raises(StoryreelError, match="names gone.png"):
        FolderStills(str(exports)).generate(still_request())


def test_corrupt_image_names_the_file_and_other_shots_still_import(exports):
    (exports / "sc01_sh010.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    midjourney_png(exports / "sc01_sh020.png", how="plain")
    backend = FolderStills(str(exports))
    with pytest.raises(StoryreelError) as err:
        backend.generate(still_request())
    assert "sc01_sh010.png" in str(err.value) and "not a readable image" in str(err.value)
    other = still_request()
    other = type(other)(
        **{**other.__dict__, "shot": other.shot.model_copy(update={"id": "sc01_sh020"})}
    )
    assert backend.generate(other).image.shape == (H, W, 3)


def test_no_file_for_a_shot_names_the_shot_and_the_folder(exports):
    with pytest.raises(StoryreelError) as err:
        FolderStills(str(exports)).generate(still_request())
    assert "sc01_sh010" in str(err.value) and str(exports) in str(err.value)
    with pytest.raises(StoryreelError, match="import folder not found"):
        FolderStills(str(exports / "nope")).generate(still_request())
    with pytest.raises(StoryreelError, match="folder: name a folder"):
        load_backend("stills", "folder").generate(still_request())


def test_replacing_a_file_changes_the_cache_token(exports):
    midjourney_png(exports / "sc01_sh010.png", how="plain")
    backend = FolderStills("exports")
    before = backend.cache_token(still_request().shot, exports.parent)
    midjourney_png(exports / "sc01_sh010.png", color=(1, 2, 3), how="text")
    assert backend.cache_token(still_request().shot, exports.parent) != before


@pytest.fixture(scope="module")
def mp4(tmp_path_factory):
    path = tmp_path_factory.mktemp("clips") / "source.mp4"
    path.write_bytes(make_mp4())  # 30 frames at 24 fps, 96x54, grey level 40 + 6 i
    return path


def level(frame) -> float:
    return float(frame.mean())


def test_longer_clip_is_trimmed_to_the_shot(mp4):
    clip = conform_video(mp4, 12, Fraction(24), (W, H))
    assert (clip.n_frames, clip.size, clip.retimed) == (12, (W, H), False)
    assert clip.source_frames == 14 < SRC_FRAMES  # only what the shot needs is decoded
    assert np.allclose(
        [level(clip.frame(i)) for i in range(12)], [40 + 6 * i for i in range(12)], atol=1.5
    )
    with pytest.raises(IndexError):
        clip.frame(12)


def test_rate_change_samples_the_source_at_the_shots_times(mp4):
    clip = conform_video(mp4, 10, Fraction(12), (W, H))  # 12 fps: every other source frame
    assert np.allclose(
        [level(clip.frame(i)) for i in range(10)], [40 + 12 * i for i in range(10)], atol=1.5
    )
    ntsc = conform_video(mp4, 20, Fraction(30000, 1001), (W, H))  # 29.97: blends neighbours
    pos = 2 * 24 / (30000 / 1001)
    expected = 40 + 6 * pos
    assert abs(level(ntsc.frame(2)) - expected) < 1.5 and abs(pos - round(pos)) > 0.1


def test_shorter_clip_is_retimed_over_the_whole_shot_by_blending(mp4):
    clip = conform_video(mp4, 59, Fraction(24), (W, H))  # 30 frames stretched over 59
    assert clip.retimed
    first, last = level(clip.frame(0)), level(clip.frame(58))
    assert abs(first - 40) < 1.5 and abs(last - (40 + 6 * (SRC_FRAMES - 1))) < 1.5
    halfway = (first + level(clip.frame(2))) / 2  # frame 1 sits between source frames 0 and 1
    assert abs(level(clip.frame(1)) - halfway) < 0.6


@pytest.mark.parametrize("land", [15, 40])  # a source squeezed, or stretched, onto 0..land
def test_a_landing_clip_reaches_its_last_frame_on_the_landing_frame_and_holds_it(mp4, land):
    clip = conform_video(mp4, 48, Fraction(24), (W, H), land=land)
    levels = [level(clip.frame(i)) for i in range(48)]
    end = 40 + 6 * (SRC_FRAMES - 1)
    assert abs(levels[0] - 40) < 1.5 and abs(levels[land] - end) < 1.5
    assert all(b > a for a, b in zip(levels[:land], levels[1 : land + 1], strict=True))
    assert all(np.array_equal(clip.frame(i), clip.frame(land)) for i in range(land, 48))
    assert clip.source_frames == SRC_FRAMES and clip.retimed


def test_a_clip_survives_pickling_for_the_render_workers(mp4):
    clip = conform_video(mp4, 12, Fraction(24), (W, H))
    again = pickle.loads(pickle.dumps(clip))
    assert np.array_equal(again.frame(7), clip.frame(7))


def test_folder_motion_picks_the_shots_clip_and_conforms_it(tmp_path, mp4):
    folder = tmp_path / "kling"
    folder.mkdir()
    (folder / "SC01_SH010_kling.mp4").write_bytes(mp4.read_bytes())
    (folder / "sc01_sh010.png").write_bytes(b"")  # a still beside it is not a clip
    clip = FolderMotion("kling").animate(clip_request(tmp_path, n_frames=36))
    assert (clip.n_frames, clip.size) == (36, (W, H))
    assert clip.meta["params"]["file"] == "SC01_SH010_kling.mp4"
    assert clip.frame(35).shape == (H, W, 3)
    assert np.abs(source_frame(0)[0, 0].astype(int) - clip.frame(0)[0, 0]).max() <= 2


def test_corrupt_clip_names_the_file(tmp_path):
    folder = tmp_path / "kling"
    folder.mkdir()
    (folder / "sc01_sh010.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64)
    with pytest.raises(StoryreelError) as err:
        FolderMotion(str(folder)).animate(clip_request())
    assert "sc01_sh010.mp4" in str(err.value) and "not a readable video" in str(err.value)
