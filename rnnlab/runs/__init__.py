"""The run folder as a format: creating and claiming it, atomic writes, reading it back,
its status (complete, incomplete, ...), checkpoints, and summary.json. Everything that
reads results (plots, reports, `rnnlab runs`, `predict`) goes through the folder."""
