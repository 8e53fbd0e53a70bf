"""Step 3 of the pipeline: per-line features for the classifier (written with the model)."""
