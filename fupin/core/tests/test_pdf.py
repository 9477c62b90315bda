"""Every PDF embeds the CJK font that ships with the project: Chinese (rare name characters too) renders on a
server where fontconfig sees no font at all."""

import os
import shutil
import subprocess
import sys
import textwrap

import pytest

from fupin.core import pdf

pytestmark = pytest.mark.skipif(shutil.which("pdffonts") is None, reason="pdffonts (poppler-utils) is not installed")

# 䶮 (CJK Ext-A), 𬌗 (Ext-B, 通用规范汉字表) and common name characters.
TEXT = "扶贫手册 龚䶮 欧阳𬌗 张淼 李喆 王赟"


def fonts_and_text(path):
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return fonts, text


def test_the_shipped_font_renders_without_any_system_font(tmp_path):
    (tmp_path / "fonts.conf").write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
        f"<fontconfig><cachedir>{tmp_path}/cache</cachedir></fontconfig>\n")
    out = tmp_path / "out.pdf"
    script = textwrap.dedent(f"""
        import django
        django.setup()
        from fupin.core.pdf import render_pdf
        render_pdf("<h1>{TEXT}</h1><p>{TEXT}</p>", {str(out)!r})
    """)
    env = {**os.environ, "FONTCONFIG_FILE": str(tmp_path / "fonts.conf"), "DJANGO_SETTINGS_MODULE": "fupin.settings"}
    env.pop("FONTCONFIG_PATH", None)
    subprocess.run([sys.executable, "-c", script], env=env, check=True, timeout=120, capture_output=True)
    fonts, text = fonts_and_text(out)
    assert "SourceHanSansSC" in fonts and "Bold" in fonts  # regular body and bold heading, both ours
    assert "Noto" not in fonts
    assert TEXT in text


def test_resources_outside_the_static_fonts_are_refused(tmp_path):
    secret = tmp_path / "secret.css"
    secret.write_text("body { color: red }")
    data = pdf.render_pdf(f'<link rel="stylesheet" href="{secret.as_uri()}"><img src="http://127.0.0.1:9/x.png">'
                          f"<p>{TEXT}</p>")
    path = tmp_path / "out.pdf"
    path.write_bytes(data)
    fonts, text = fonts_and_text(path)
    assert "SourceHanSansSC" in fonts and TEXT in text
    with pytest.raises(ValueError):
        pdf._weasy()[0].fetch(secret.as_uri())
