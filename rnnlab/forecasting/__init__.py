"""`rnnlab forecast`: a real series in, honest forecasts out. The problem and its automatic
settings (problem.py), the parts and origins (splits.py), season (season.py), scaling
(scaling.py), training one model (fit.py), choosing and ensembling (select.py), baselines
and metrics, and the job that writes the run folder (job.py)."""
