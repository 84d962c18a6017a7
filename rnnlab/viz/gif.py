"""training.gif: one frame per prediction snapshot, all sharing one global palette.

The palette is built from the colours the figure is known to use (plus their
anti-aliasing blends with white and with each other) rather than from a frame,
so pure red and green survive exactly and every frame maps to the same table.

Frames are written with Pillow's GifImagePlugin.getheader/getdata rather than
``Image.save(save_all=True)``: given a shared ``palette=``, save() re-maps every
frame onto it (0.3 s of 0.5 s for 200 frames, measured), and without one it
writes a local colour table per frame. The writer below also keeps identical
consecutive frames as tiny 1x1 frames, so the GIF has exactly one frame per
snapshot (save() would merge them).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from PIL import Image

__all__ = ["build_palette", "encode_gif"]

RGB = tuple[int, int, int]
_WHITE: RGB = (255, 255, 255)


def _ramp(a: RGB, b: RGB, steps: int) -> list[RGB]:
    t = np.linspace(0.0, 1.0, steps)[:, None]
    mixed = np.rint((1 - t) * np.array(a) + t * np.array(b)).astype(int)
    return [(int(r), int(g), int(b_)) for r, g, b_ in mixed]


def build_palette(colors: Sequence[RGB]) -> list[RGB]:
    """White, ``colors``, and the blends anti-aliased edges produce; at most 256 entries."""
    solid = [c for c in dict.fromkeys(colors) if c != _WHITE]
    entries: dict[RGB, None] = dict.fromkeys([_WHITE, *solid])
    # 16 steps, not more: Pillow maps colours through a cache of coarse colour
    # boxes, and a ramp entry within a few units of white would capture the
    # white background and tint it.
    for c in solid:
        entries.update(dict.fromkeys(_ramp(_WHITE, c, 16)))
    for i, a in enumerate(solid):
        for b in solid[i + 1 :]:
            entries.update(dict.fromkeys(_ramp(a, b, 6)))
    return list(entries)[:256]


def encode_gif(
    frames: Iterable[Image.Image], colors: Sequence[RGB], duration_ms: int = 100
) -> bytes:
    """Quantise RGB frames onto one palette and return looping GIF bytes.

    Each frame after the first stores only the rectangle that changed, drawn
    over the previous one (disposal 1).
    """
    from PIL import GifImagePlugin, Image, ImageChops

    palette_image = Image.new("P", (1, 1))
    palette_image.putpalette([c for rgb in build_palette(colors) for c in rgb])
    chunks: list[bytes] = []
    previous = None
    for frame in frames:
        current = frame.quantize(palette=palette_image, dither=Image.Dither.NONE)
        if previous is None:
            header, _ = GifImagePlugin.getheader(current, info={"loop": 0, "duration": duration_ms})
            chunks += header
            bbox: tuple[int, int, int, int] = (0, 0, *current.size)
        else:
            bbox = ImageChops.subtract_modulo(current, previous).getbbox() or (0, 0, 1, 1)
        chunks += GifImagePlugin.getdata(
            current.crop(bbox), offset=bbox[:2], duration=duration_ms, disposal=1
        )
        previous = current
    if previous is None:
        raise ValueError("a GIF needs at least one frame")
    chunks.append(b";")
    return b"".join(chunks)
