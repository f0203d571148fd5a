"""reader asks Textual for up to 120 frames a second unless told otherwise."""

from __future__ import annotations

import os
import subprocess
import sys


def frame_period(env: dict[str, str]) -> str:
    code = "import reader.app, textual.screen; print(round(1 / textual.screen.UPDATE_PERIOD))"
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout


def test_the_app_draws_up_to_120_frames_a_second_unless_textual_fps_is_set() -> None:
    env = {k: v for k, v in os.environ.items() if k != "TEXTUAL_FPS"}
    assert frame_period(env).strip() == "120"
    assert frame_period({**env, "TEXTUAL_FPS": "30"}).strip() == "30"
