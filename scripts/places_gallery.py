"""The gallery of set kinds: every kind the previz paints, by day and by night, on one sheet.

    python scripts/places_gallery.py [-o docs/places.png] [--width 320]

Each kind is reached through a scene heading that names it (read by `script/places.py`, so the
sheet also checks that the heading still reads as that kind), framed as a wide shot of two
characters. Writes a PNG (quantised to keep it small) for docs/places.md.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from PIL import Image, ImageDraw

from storyreel.assets import pil_font
from storyreel.config import ProjectConfig
from storyreel.model import Scene, Shot, ShotSize, SourceSpan
from storyreel.script.breakdown import split_heading
from storyreel.script.places import read_place
from storyreel.stills.base import StillRequest
from storyreel.stills.previz import PrevizBackend
from storyreel.stills.previz.catalogue import KINDS

ROOT = Path(__file__).resolve().parents[1]
SPAN = SourceSpan(path="gallery.fountain", start=1, end=1)
# one heading a screenplay might use for each kind (and side of the wall)
HEADINGS = {
    ("room", True): "INT. APARTMENT - LIVING ROOM",
    ("kitchen", True): "INT. FARMHOUSE KITCHEN",
    ("bar", True): "INT. ROADSIDE DINER",
    ("stacks", True): "INT. CITY ARCHIVE - STACKS",
    ("office", True): "INT. NEWSROOM",
    ("corridor", True): "INT. HOTEL CORRIDOR",
    ("car", True): "INT. TAXI",
    ("bedroom", True): "INT. BLOOM HOUSE - MASTER BEDROOM",
    ("bathroom", True): "INT. MOTEL BATHROOM",
    ("church", True): "INT. ST. MARY'S CHURCH",
    ("classroom", True): "INT. HIGH SCHOOL - CLASSROOM",
    ("lockers", True): "INT. LOCKER ROOM",
    ("theater", True): "INT. OPERA HOUSE - AUDITORIUM",
    ("aircraft", True): "INT. AIRLINER CABIN",
    ("train", True): "INT. NIGHT TRAIN - CARRIAGE",
    ("hospital", True): "INT. HOSPITAL ROOM",
    ("cell", True): "INT. COUNTY JAIL - CELL",
    ("courtroom", True): "INT. COURTROOM",
    ("store", True): "INT. SUPERMARKET",
    ("factory", True): "INT. STEEL MILL",
    ("garage", True): "INT. GARAGE",
    ("hall", True): "INT. MANSION - GRAND HALL",
    ("shack", True): "INT. WOODEN SHACK",
    ("gallery", True): "INT. ART GALLERY",
    ("interrogation", True): "INT. PRECINCT - INTERROGATION ROOM",
    ("cave", True): "INT. CAVE",
    ("ship", True): "INT. FERRY CABIN",
    ("city", False): "EXT. MAIN STREET",
    ("rooftop", False): "EXT. ROOFTOP",
    ("sea", False): "EXT. BEACH",
    ("forest", False): "EXT. WOODS",
    ("desert", False): "EXT. DESERT",
    ("mountain", False): "EXT. MOUNTAIN PASS",
    ("field", False): "EXT. WHEAT FIELD",
    ("house", False): "EXT. FARMHOUSE - PORCH",
    ("yard", False): "EXT. BACKYARD",
    ("gate", False): "EXT. ESTATE - FRONT GATE",
    ("pool", False): "EXT. BRICK'S POOL",
    ("stadium", False): "EXT. FOOTBALL STADIUM",
    ("swamp", False): "EXT. BAYOU",
    ("deck", False): "EXT. FERRY - DECK",
    ("castle", False): "EXT. CASTLE",
    ("campfire", False): "EXT. CAMPSITE",
    ("graveyard", False): "EXT. CEMETERY",
    ("roadside", False): "EXT. GAS STATION",
    ("platform", False): "EXT. TRAIN STATION - PLATFORM",
    ("cave", False): "EXT. CAVE ENTRANCE",
}


def scene_for(heading: str) -> Scene:
    int_ext, location, time = split_heading(heading)
    scene = Scene(
        id="s",
        number="1",
        heading=heading,
        int_ext=int_ext,
        location=location,
        time_of_day=time,
        lines=SPAN,
    )
    return scene.model_copy(update={"place": read_place(scene)})


def still(heading: str, time: str, width: int):
    scene = scene_for(f"{heading} - {time}")
    shot = Shot(
        id="g", scene_id="s", size=ShotSize.WS, subjects=["MAYA", "ELIAS"], lines=SPAN, duration=3.0
    )
    config = ProjectConfig()
    size = (width, round(width / 2.39))
    request = StillRequest(shot=shot, scene=scene, config=config, seed=7, size=size)
    return scene.place, PrevizBackend().generate(request).image


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-o", "--out", default=str(ROOT / "docs" / "places.png"))
    ap.add_argument("--width", type=int, default=320)
    ap.add_argument("--columns", type=int, default=3)
    args = ap.parse_args()
    kinds = sorted(
        ((k, side) for k, sides in KINDS.items() for side in sides),
        key=lambda ks: (not ks[1], ks[0]),
    )
    missing = [ks for ks in kinds if ks not in HEADINGS]
    if missing:
        raise SystemExit(f"no gallery heading for {missing}")
    tw, th, gap, cap = args.width, round(args.width / 2.39), 6, 26
    cols = args.columns
    card = 2 * tw + gap
    rows = -(-len(kinds) // cols)
    sheet = Image.new(
        "RGB", (cols * card + (cols + 1) * 16, rows * (th + cap + 14) + 16), (14, 14, 16)
    )
    draw = ImageDraw.Draw(sheet)
    font, small = pil_font(15, "Bold"), pil_font(12)
    for i, (kind, interior) in enumerate(kinds):
        heading = HEADINGS[(kind, interior)]
        x = 16 + (i % cols) * (card + 16)
        y = 16 + (i // cols) * (th + cap + 14)
        for k, time in enumerate(("DAY", "NIGHT")):
            place, image = still(heading, time, tw)
            if (place.kind, place.interior) != (kind, interior):
                raise SystemExit(f"{heading!r} reads as {place.kind}, not {kind}")
            sheet.paste(Image.fromarray(image), (x + k * (tw + gap), y + cap))
        draw.text((x, y + 2), kind, font=font, fill=(214, 138, 72))
        draw.text(
            (x + 10 + draw.textlength(kind, font=font), y + 5),
            f"{heading}  · day | night",
            font=small,
            fill=(150, 146, 140),
        )
    out = Path(args.out)
    sheet.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
        out, optimize=True
    )
    print(f"{out}: {len(kinds)} set kinds, {out.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
