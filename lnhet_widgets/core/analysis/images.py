"""Line profiles of microscope images, simulated or measured (SCIENCE.md §9–10, P1 Fig. 1c).

A HAADF-STEM line profile across a heterostructure shows where the core sits and how its
Z-contrast compares with the shell's. :func:`line_profile` reads one from any 2-D image: a
user's micrograph loaded as an array (see :func:`load_image`) with its pixel size, or a
:class:`~lnhet_widgets.core.crystal.HaadfImage` from the builder.

Coordinates
-----------
Points are (x, y) in nm. For a plain array, the origin is the top-left corner of the image
as displayed (``imshow`` with its default ``origin="upper"``): x runs along a row to the
right (the column index), y down the columns (the row index), and pixel ``image[i, j]``
covers x in [j p, (j + 1) p), y in [i p, (i + 1) p) for pixel size p, so its centre is
((j + ½) p, (i + ½) p). The image spans [0, n_cols p] × [0, n_rows p]. A ``HaadfImage``
keeps its own frame: pixel ``image[iy, ix]`` is centred at (``x_nm[ix]``, ``y_nm[iy]``).

Examples
--------
>>> image = np.zeros((40, 60))
>>> image[:, 30:] = 1.0                      # a vertical step half-way across
>>> profile = line_profile(image, (0.0, 2.0), (6.0, 2.0), pixel_size_nm=0.1)
>>> float(np.interp(0.5, profile.intensity, profile.distance_nm))
3.0
"""

from __future__ import annotations

import io
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.ndimage import map_coordinates

from .._base.results import ResultIO
from .._base.validate import check_range

__all__ = ["LineProfile", "line_profile", "load_image"]

_MAX_SAMPLES = 1_000_000


@dataclass(frozen=True, eq=False)
class LineProfile(ResultIO):
    """Intensity along a straight line of an image.

    Attributes
    ----------
    distance_nm : (n,) ndarray
        Distance of each sample from the start point, nm.
    intensity : (n,) ndarray
        Image value at each sample (bilinear interpolation), averaged across the width.
    x_nm, y_nm : (n,) ndarray
        Positions of the samples on the centre line, in the image's frame, nm.
    start_nm, end_nm : tuple of float
        The line's end points (x, y), nm.
    width_nm : float
        Width of the band averaged across the line, nm (0 for a single line).
    """

    distance_nm: np.ndarray
    intensity: np.ndarray
    x_nm: np.ndarray
    y_nm: np.ndarray
    start_nm: tuple[float, float]
    end_nm: tuple[float, float]
    width_nm: float


def _image_frame(image, pixel_size_nm):
    """The pixel array, the pixel size and the (x, y) of the image's top-left corner."""
    if pixel_size_nm is not None:
        pixel_size_nm = check_range("pixel_size_nm", pixel_size_nm, "nm", 0.0, 1e6,
                                    low_inclusive=False)
    if hasattr(image, "image") and hasattr(image, "x_nm") and hasattr(image, "y_nm"):
        pixels = np.asarray(image.image, dtype=float)
        x, y = np.asarray(image.x_nm, float), np.asarray(image.y_nm, float)
        own = float(x[1] - x[0]) if x.size > 1 else float(y[1] - y[0]) if y.size > 1 else None
        if own is None and pixel_size_nm is None:
            raise ValueError("pixel_size_nm is needed for a one-pixel image")
        if own is not None and pixel_size_nm is not None and not math.isclose(
                own, pixel_size_nm, rel_tol=1e-9):
            raise ValueError(f"pixel_size_nm = {pixel_size_nm:g} nm disagrees with the "
                             f"image's own pixel size of {own:g} nm; leave it out")
        pixel = own if own is not None else pixel_size_nm
        origin = (float(x[0]) - pixel / 2, float(y[0]) - pixel / 2)
    else:
        try:
            pixels = np.asarray(image, dtype=float)
        except (TypeError, ValueError):
            raise ValueError("image must be a 2-D array of numbers or a HaadfImage, got "
                             f"{type(image).__name__}") from None
        if pixel_size_nm is None:
            raise ValueError("pixel_size_nm is required for an image given as an array "
                             "(the size of one pixel in nm, from the microscope's calibration)")
        pixel = pixel_size_nm
        origin = (0.0, 0.0)
    if pixels.ndim != 2 or pixels.size == 0:
        raise ValueError(
            f"image must be a non-empty 2-D array (rows, columns), got shape {pixels.shape}; "
            "convert a colour image to grey first, e.g. image.mean(axis=2)"
        )
    bad = np.argwhere(~np.isfinite(pixels))
    if bad.size:
        raise ValueError(f"image[{bad[0][0]}, {bad[0][1]}] is not a finite number")
    return pixels, pixel, origin


def _check_point(name: str, point) -> np.ndarray:
    try:
        xy = np.array(point, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a point (x, y) in nm, got {point!r}") from None
    if xy.shape != (2,) or not np.all(np.isfinite(xy)):
        raise ValueError(f"{name} must be a point (x, y) of two finite numbers in nm, "
                         f"got {point!r}")
    return xy


def line_profile(
    image,
    start_nm: Sequence[float],
    end_nm: Sequence[float],
    *,
    pixel_size_nm: float | None = None,
    width_nm: float = 0.0,
    samples: int | None = None,
) -> LineProfile:
    """Sample an image along a straight line, averaged over a band across it.

    Values between pixel centres are interpolated bilinearly
    (:func:`scipy.ndimage.map_coordinates`, order 1); within the outer half pixel the edge
    pixels' values continue. With ``width_nm`` > 0 the profile is the mean of parallel lines
    spread evenly across the band, no further apart than one pixel, as the "line width"
    option of ImageJ or DigitalMicrograph does.

    Parameters
    ----------
    image : array_like or HaadfImage
        A 2-D image ``image[row, column]`` (e.g. from :func:`load_image`), or a
        :class:`~lnhet_widgets.core.crystal.HaadfImage`.
    start_nm, end_nm : sequence of two floats
        End points (x, y) of the line in nm, in the image's frame (see the module notes: for
        an array, from the top-left corner, x to the right, y down).
    pixel_size_nm : float, optional
        Size of one (square) pixel in nm, > 0. Required for an array; a ``HaadfImage`` knows
        its own (a value given for it must agree).
    width_nm : float
        Width of the band averaged across the line, nm, in [0, 1e6].
    samples : int, optional
        Number of points along the line, in [2, 1e6]. Default: one per pixel of length (at
        least 2), both end points included.

    Returns
    -------
    LineProfile

    Raises
    ------
    ValueError
        If a point, or a corner of the band, lies outside the image, or the points coincide.

    Examples
    --------
    >>> image = np.arange(12.0).reshape(3, 4)        # 3 rows, 4 columns, 1 nm pixels
    >>> line_profile(image, (0.5, 0.5), (3.5, 0.5), pixel_size_nm=1.0).intensity.tolist()
    [0.0, 1.0, 2.0, 3.0]
    >>> line_profile(image, (0.5, 0.5), (0.5, 2.5), pixel_size_nm=1.0).intensity.tolist()
    [0.0, 4.0, 8.0]
    """
    pixels, pixel, origin = _image_frame(image, pixel_size_nm)
    start = _check_point("start_nm", start_nm)
    end = _check_point("end_nm", end_nm)
    width = check_range("width_nm", width_nm, "nm", 0.0, 1e6)
    direction = end - start
    length = float(np.hypot(*direction))
    if length == 0.0:
        raise ValueError("start_nm and end_nm must be different points")
    if samples is None:
        n = max(2, round(length / pixel) + 1)
    else:
        n = int(check_range("samples", samples, "", 2, _MAX_SAMPLES))

    n_rows, n_cols = pixels.shape
    x_lo, y_lo = origin
    x_hi, y_hi = x_lo + n_cols * pixel, y_lo + n_rows * pixel
    normal = np.array([-direction[1], direction[0]]) / length
    # 1e-9 of a pixel of slack, so that a point on the image's edge counts as inside.
    slack = 1e-9 * pixel
    for name, point in (("start_nm", start), ("end_nm", end)):
        for side in ((-0.5, 0.5) if width > 0 else (0.0,)):
            x, y = point + side * width * normal
            if not (x_lo - slack <= x <= x_hi + slack and y_lo - slack <= y <= y_hi + slack):
                where = (f"{name} = ({point[0]:g}, {point[1]:g}) nm" if side == 0.0 else
                         f"the band of width_nm = {width:g} nm around {name} = "
                         f"({point[0]:g}, {point[1]:g}) nm")
                raise ValueError(
                    f"{where} reaches outside the image, which spans x in [{x_lo:g}, {x_hi:g}] "
                    f"nm and y in [{y_lo:g}, {y_hi:g}] nm"
                )

    t = np.linspace(0.0, 1.0, n)
    centre = start + t[:, None] * direction
    n_across = math.ceil(width / pixel) + 1 if width > 0 else 1
    offsets = np.linspace(-width / 2, width / 2, n_across) if width > 0 else np.zeros(1)
    points = centre[None, :, :] + offsets[:, None, None] * normal  # (across, along, xy)
    cols = (points[..., 0] - x_lo) / pixel - 0.5
    rows = (points[..., 1] - y_lo) / pixel - 0.5
    values = map_coordinates(pixels, [rows.ravel(), cols.ravel()], order=1, mode="nearest")
    intensity = values.reshape(n_across, n).mean(axis=0)
    return LineProfile(distance_nm=t * length, intensity=intensity, x_nm=centre[:, 0],
                       y_nm=centre[:, 1], start_nm=(float(start[0]), float(start[1])),
                       end_nm=(float(end[0]), float(end[1])), width_nm=width)


# ---------------------------------------------------------------------------- image files


def _read_pgm(data: bytes) -> np.ndarray:
    """Netpbm greymap: P2 (text) or P5 (binary, 8 or 16 bit big-endian), '#' comments."""
    tokens, pos = [], 0
    while len(tokens) < 4:
        while pos < len(data) and data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.find(b"\n", pos)
            pos = len(data) if pos < 0 else pos
            continue
        start = pos
        while pos < len(data) and not data[pos:pos + 1].isspace():
            pos += 1
        if start == pos:
            raise ValueError("the PGM header is incomplete (needs magic, width, height, maxval)")
        tokens.append(data[start:pos])
    magic = tokens[0]
    try:
        width, height, maxval = (int(tok) for tok in tokens[1:])
    except ValueError:
        raise ValueError("the PGM header must give integer width, height and maxval") from None
    if not (width > 0 and height > 0 and 0 < maxval < 65536):
        raise ValueError(f"the PGM header is invalid: width {width}, height {height}, "
                         f"maxval {maxval}")
    if magic == b"P5":
        dtype = np.dtype(">u2") if maxval > 255 else np.dtype("u1")
        body = data[pos + 1:pos + 1 + width * height * dtype.itemsize]
        if len(body) < width * height * dtype.itemsize:
            raise ValueError("the PGM file ends before its last pixel")
        return np.frombuffer(body, dtype=dtype).reshape(height, width).astype(float)
    values = data[pos:].split()
    if len(values) < width * height:
        raise ValueError("the PGM file ends before its last pixel")
    return np.array(values[:width * height], dtype=float).reshape(height, width)


def _read_text_matrix(data: bytes) -> np.ndarray:
    """Rows of numbers separated by commas, tabs, semicolons or spaces; header lines skipped."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(
            "the image is neither a .npy file, a PGM greymap nor a text matrix; export it "
            "as one of these (e.g. ImageJ: File > Save As > Text Image)"
        ) from None
    rows, first_data_line = [], None
    for number, line in enumerate(text.splitlines(), start=1):
        fields = line.replace(",", " ").replace(";", " ").split()
        if not fields:
            continue
        try:
            row = [float(f) for f in fields]
        except ValueError:
            if first_data_line is None:
                continue  # a header line before the numbers
            raise ValueError(f"line {number} of the image text holds something that is "
                             f"not a number: {line.strip()[:60]!r}") from None
        if first_data_line is None:
            first_data_line = number
        if rows and len(row) != len(rows[0]):
            raise ValueError(f"line {number} of the image text has {len(row)} values, the "
                             f"first row (line {first_data_line}) has {len(rows[0])}")
        rows.append(row)
    if not rows:
        raise ValueError("the image text holds no rows of numbers")
    return np.array(rows, dtype=float)


def load_image(source) -> np.ndarray:
    """Read a greyscale image into a 2-D float array ``image[row, column]``.

    Reads the formats that need nothing beyond numpy: NumPy ``.npy`` (``allow_pickle=False``),
    Netpbm PGM (P2 text or P5 binary, 8/16 bit) and text matrices (one image row per line,
    values separated by spaces, tabs, commas or semicolons; header lines before the first
    row are skipped), such as ImageJ's "Save As > Text Image". TIFF or DM3/DM4 files must be
    exported to one of these first. The pixel size is not read: pass it to
    :func:`line_profile` from the microscope's calibration.

    Parameters
    ----------
    source : str, os.PathLike or bytes
        A file path, or the file's content (e.g. from an upload widget).

    Returns
    -------
    ndarray
        The image as floats, shape (rows, columns).

    Examples
    --------
    >>> load_image(b"P2\\n# a 3x2 greymap\\n3 2\\n255\\n0 10 20\\n30 40 50\\n").tolist()
    [[0.0, 10.0, 20.0], [30.0, 40.0, 50.0]]
    >>> load_image(b"x,y,z\\n1,2,3\\n4,5,6\\n").shape
    (2, 3)
    """
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    elif isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as handle:
            data = handle.read()
    else:
        raise ValueError(f"source must be a file path or bytes, got {type(source).__name__}")
    if data.startswith(b"\x93NUMPY"):
        try:
            image = np.load(io.BytesIO(data), allow_pickle=False)
        except ValueError as error:
            raise ValueError(f"the .npy file cannot be read without pickle: {error}") from None
        try:
            image = np.asarray(image, dtype=float)
        except (TypeError, ValueError):
            raise ValueError(f"the .npy file holds {image.dtype} values, not numbers") from None
    elif data[:2] in (b"P2", b"P5") and data[2:3].isspace():
        image = _read_pgm(data)
    else:
        image = _read_text_matrix(data)
    if image.ndim != 2:
        raise ValueError(f"the file holds an array of shape {image.shape}, not a 2-D image; "
                         "for a colour image average the channels first")
    return image
