"""Hand-written backpropagation through time in NumPy: cells with their backward steps
beside the forward ones, one generic unroll, stacked layers, the readout, losses and
updates, written once for one model and for a leading member axis. Not an engine itself:
the numpy engine runs it as it is, the numba engine falls back to it where its compiled
kernel does not reach, and the numpy ensemble batches it over members."""
