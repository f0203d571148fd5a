"""Plain objects the main screen holds, each owning one job (loading and watching the folders, filter
runs, the story's delay, the reading state, the topic counts, the last session, the list's order and
grouping, what the reading keys act on); no Textual import, so each is tested with a fake clock and no
terminal."""
