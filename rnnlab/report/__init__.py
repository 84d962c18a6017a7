"""A self-contained HTML report of a run folder, drawn from its files alone (like rnnlab.viz).

``write_report(run_dir)`` writes ``report.html`` into a run folder of any kind ("run",
"ensemble", "forecast"; summary.json's "kind"): one file with its data embedded as JSON
and its drawing code (plain JavaScript, SVG and canvas, in assets/) inlined, so it opens
offline, without a server. A run folder shows its loss curves, the predictions at every
logged epoch under a slider, and, when it has inspection.npz (rnnlab.runs.inspection),
the hidden states, the gradient reaching each step and the recurrent matrix's spectrum;
an ensemble its members; a forecast its metrics against the baselines, backtest, error
by horizon step and (optional keys, rnnlab.report.forecast_data) intervals and the
forecast beyond the data. ``write_comparison(run_dirs, out)`` writes one page comparing
several folders. A report written while the run trains refreshes itself (rnnlab.report.live).

Curves and frames are cut down to what a page can draw at once (rnnlab.report.sample),
so the page opens quickly however long the run. Imports only rnnlab.runs and rnnlab.errors.
"""

from __future__ import annotations

from rnnlab.report.writer import NAME, write_comparison, write_page, write_report

__all__ = ["NAME", "write_comparison", "write_page", "write_report"]
