"""For trials, demos and benchmarks: the file generator and the demo."""
