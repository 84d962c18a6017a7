"""training.gif: one frame per prediction snapshot, all sharing one global palette.

The palette is built from the colours the figure is known to use (plus their
anti-aliasing blends with white and with each other) rather than from a frame,
so pure red and green survive exactly and every frame maps to the same table.
Each pixel gets the palette entry nearest to its colour.

Frames arrive as RGBX pixels (a view of matplotlib's Agg buffer, say). Each
frame after the first stores only the rectangle around the pixels that changed,
drawn over the previous frame (disposal 1), and inside it the unchanged pixels
are transparent: only changed pixels are mapped to the palette, and the long
transparent runs compress to a quarter of the bytes, which is also what makes
the LZW encoding quick. Most frames change a few hundred pixels.

Blocks are written with Pillow's GifImagePlugin.getheader/getdata rather than
``Image.save(save_all=True)``, which re-maps every frame onto a shared palette
or writes a local colour table per frame, and merges identical consecutive
frames (a 1x1 transparent frame keeps one frame per snapshot here).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from PIL import Image

__all__ = ["TRAILER", "Quantiser", "build_palette", "encode_frames", "encode_gif", "rgbx"]

RGB = tuple[int, int, int]
_WHITE: RGB = (255, 255, 255)
TRAILER = b";"  # ends a GIF
_MAX_COLOURS = 255  # the 256th palette index marks transparent pixels


def _ramp(a: RGB, b: RGB, steps: int) -> list[RGB]:
    t = np.linspace(0.0, 1.0, steps)[:, None]
    mixed = np.rint((1 - t) * np.array(a) + t * np.array(b)).astype(int)
    return [(int(r), int(g), int(b_)) for r, g, b_ in mixed]


def build_palette(colors: Sequence[RGB]) -> list[RGB]:
    """White, ``colors``, and the blends anti-aliased edges produce; at most 255 entries."""
    solid = [c for c in dict.fromkeys(colors) if c != _WHITE]
    entries: dict[RGB, None] = dict.fromkeys([_WHITE, *solid])
    for c in solid:  # 16 steps: smooth edges, and room for the blends below
        entries.update(dict.fromkeys(_ramp(_WHITE, c, 16)))
    for i, a in enumerate(solid):
        for b in solid[i + 1 :]:
            entries.update(dict.fromkeys(_ramp(a, b, 6)))
    return list(entries)[:_MAX_COLOURS]


def rgbx(image: Image.Image) -> np.ndarray:
    """An RGB Pillow image as (height, width) little-endian RGBX words, the layout frames use."""
    return np.frombuffer(image.tobytes("raw", "RGBX"), "<u4").reshape(image.height, image.width)


class Quantiser:
    """Maps RGBX pixels to the index of the nearest palette colour (squared RGB distance,
    the first entry on ties), keeping each colour's answer in a table over all 2**24 colours."""

    _UNSEEN = 255  # never an index: palettes have at most 255 entries

    def __init__(self, palette: Sequence[RGB]) -> None:
        self._palette = np.array(palette, dtype=np.float64)
        self._norms = (self._palette**2).sum(axis=1)
        self._index = np.full(1 << 24, self._UNSEEN, dtype=np.uint8)

    def __call__(self, pixels: np.ndarray) -> np.ndarray:
        keys = pixels & 0xFFFFFF
        found = self._index[keys]
        unseen = found == self._UNSEEN
        if unseen.any():
            new = np.unique(keys[unseen])
            rgb = np.stack([new & 255, (new >> 8) & 255, new >> 16], axis=1).astype(np.float64)
            # |c - p|^2 less |c|^2, the same for every p: exact in float64 for 8-bit channels
            self._index[new] = (self._norms[None, :] - 2.0 * rgb @ self._palette.T).argmin(axis=1)
            found = self._index[keys]
        return found


def encode_frames(
    frames: Iterable[np.ndarray], colors: Sequence[RGB], *, after: np.ndarray | None = None,
    duration_ms: int = 100, loop: int | None = None,
) -> bytes:
    """GIF blocks for ``frames``, (height, width) RGBX arrays such as ``rgbx`` returns;
    each may be a view that changes once the next is asked for.

    With ``after`` None the blocks start with the GIF's header and the first
    frame whole; otherwise ``after`` is the frame just before ``frames``, so a
    GIF can be encoded in parts (in separate processes) whose concatenation,
    plus ``TRAILER``, is byte for byte the GIF encoded at once.

    ``loop`` None writes no looping extension: the animation plays once and stays on its
    last frame, the trained result (the primer's GIF, ``convert -loop 1``, plays once);
    0 loops forever, n > 0 repeats n times.
    """
    from PIL import GifImagePlugin, Image

    palette = build_palette(colors)
    transparent = len(palette)
    quantise = Quantiser(palette)
    previous = None if after is None else np.array(after)
    chunks: list[bytes] = []
    for frame in frames:
        height, width = frame.shape
        if previous is None:
            image = Image.frombuffer("P", (width, height), quantise(frame.ravel()).tobytes(), "raw", "P", 0, 1)
            image.putpalette([c for rgb in [*palette, _WHITE] for c in rgb])
            info = {"duration": duration_ms, **({} if loop is None else {"loop": loop})}
            header, _ = GifImagePlugin.getheader(image, info=info)
            chunks += header
            chunks += GifImagePlugin.getdata(image, duration=duration_ms, disposal=1)
            previous = np.array(frame)
            continue
        changed = np.flatnonzero(frame.ravel() != previous.ravel())
        pixels = frame.ravel()[changed]
        previous.ravel()[changed] = pixels  # now equal to frame
        rows, cols = np.divmod(changed, width)
        top, left = (int(rows.min()), int(cols.min())) if changed.size else (0, 0)
        bottom, right = (int(rows.max()) + 1, int(cols.max()) + 1) if changed.size else (1, 1)
        patch = np.full((bottom - top, right - left), transparent, dtype=np.uint8)
        patch[rows - top, cols - left] = quantise(pixels)
        image = Image.frombuffer("P", (right - left, bottom - top), patch.tobytes(), "raw", "P", 0, 1)
        chunks += GifImagePlugin.getdata(image, offset=(left, top), duration=duration_ms, disposal=1,
                                         transparency=transparent)
    return b"".join(chunks)


def encode_gif(
    frames: Iterable[Image.Image], colors: Sequence[RGB], duration_ms: int = 100, loop: int | None = None
) -> bytes:
    """RGB Pillow frames as GIF bytes on one palette (``loop`` as in encode_frames: None plays once)."""
    blocks = encode_frames((rgbx(frame) for frame in frames), colors, duration_ms=duration_ms, loop=loop)
    if not blocks:
        raise ValueError("a GIF needs at least one frame")
    return blocks + TRAILER
