"""Render the brand images of custom_components/time_clock/brand/ from the SVGs here.

Home Assistant (2026.3 and later) and HACS read a custom integration's icon and logo
from its brand/ folder. The images are drawn here as SVG and rendered by headless
Chromium (Debian's ``chromium`` package) with a transparent background; Pillow, which
Home Assistant installs, checks the sizes and compresses the PNGs. The wordmark uses
DejaVu Sans Bold (Debian's ``fonts-dejavu-core``). Run ``scripts/brand``.
"""

from __future__ import annotations

from pathlib import Path
import shutil
import subprocess
import sys
import tempfile

from PIL import Image

HERE = Path(__file__).parent
OUT = HERE.parents[1] / "custom_components" / "time_clock" / "brand"
# Name, drawing, width and height in CSS pixels, wordmark colour (None: as drawn).
IMAGES = (
    ("icon", "icon.svg", 256, 256, None),
    ("logo", "logo.svg", 916, 256, None),
    # The navy wordmark vanishes on a dark background: dark themes get a white one.
    ("dark_logo", "logo.svg", 916, 256, "#FFFFFF"),
)
PAGE = """<!DOCTYPE html>
<html><head><base href="{base}/"><style>
html, body {{ margin: 0; background: transparent; overflow: hidden; }}
svg {{ display: block; }}
{style}
</style></head><body>{svg}</body></html>
"""


def chromium() -> str:
    """Return the Chromium executable, or stop with how to install it."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if found := shutil.which(name):
            return found
    sys.exit("Chromium not found: apt-get install chromium fonts-dejavu-core")


def render(
    svg: Path, out: Path, *, width: int, height: int, scale: int, colour: str | None
) -> None:
    """Render one drawing at a scale into a PNG with a transparent background."""
    style = f".wordmark {{ fill: {colour}; }}" if colour else ""
    page = PAGE.format(base=HERE.resolve().as_uri(), style=style, svg=svg.read_text())
    with tempfile.TemporaryDirectory() as tmp:
        html = Path(tmp) / "page.html"
        html.write_text(page, encoding="utf-8")
        shot = Path(tmp) / "shot.png"
        subprocess.run(
            [
                chromium(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                "--allow-file-access-from-files",
                "--default-background-color=00000000",
                f"--force-device-scale-factor={scale}",
                f"--window-size={width},{height}",
                f"--screenshot={shot}",
                html.as_uri(),
            ],
            check=True,
            capture_output=True,
        )
        image = Image.open(shot).convert("RGBA")
    if image.size != (width * scale, height * scale):
        sys.exit(
            f"{out.name}: rendered {image.size}, wanted {width * scale}x{height * scale}"
        )
    if image.getchannel("A").getextrema()[0] != 0:
        sys.exit(f"{out.name}: no transparent background")
    image.save(out, optimize=True)


def main() -> None:
    """Render every image at 1x and 2x."""
    if (
        not shutil.which("fc-list")
        or b"DejaVu Sans"
        not in subprocess.run(["fc-list"], capture_output=True, check=True).stdout
    ):
        sys.exit("DejaVu Sans not found: apt-get install fonts-dejavu-core")
    OUT.mkdir(exist_ok=True)
    for name, drawing, width, height, colour in IMAGES:
        for scale, suffix in ((1, ""), (2, "@2x")):
            out = OUT / f"{name}{suffix}.png"
            render(
                HERE / drawing,
                out,
                width=width,
                height=height,
                scale=scale,
                colour=colour,
            )
            print(
                f"{out.relative_to(HERE.parents[1])}: {width * scale}x{height * scale}"
            )


if __name__ == "__main__":
    main()
