"""reader: a terminal reader for folders of news records."""

import os

__version__ = "0.1.0"

# Textual draws at most TEXTUAL_FPS frames a second (60 unless set), and when a second change comes
# soon after a frame its timer waits one to two frame periods: a keystroke's echo in the filter bar
# and its new list came 17-33 ms apart. At 120 that wait is 8-17 ms (keystroke p95 49 -> 37 ms at
# 100,000 records in the benchmark's loop). Set here, before Textual is imported; a value the user
# set wins.
os.environ.setdefault("TEXTUAL_FPS", "120")
