"""Training jobs: a Config made concrete (experiment.py, auto.py), the one training loop
(loop.py) with its callbacks, and the jobs built on it: a single run (runner.py), an
ensemble (ensemble.py, ensemble_job.py) and predicting with a finished run (predict.py)."""
