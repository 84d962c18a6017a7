"""`rnnlab sweep`: many configurations of one recipe (a grid or a search), each trial a normal
run folder under the sweep's folder, trained on local processes or a Dask cluster. Trials
that fit one batched program (same shapes, only the seed or the learning rate differ) are
trained together, as `rnnlab run --ensemble` does; the rest go to the executor one each."""
