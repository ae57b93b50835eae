"""FeatureFlow: build the tiny "xyz" customer feature table that PredictionFlow consumes.

Part of the jupyter_mfns demo store (anne and will, Metaflow's "Organizing Results" story).
Pure Python on purpose: each run takes about two seconds.
"""

from metaflow import FlowSpec, Parameter, step


class FeatureFlow(FlowSpec):
    """Compute per-customer features as a dict of equal-length columns."""

    n_customers = Parameter("n_customers", default=50, type=int, help="Rows to generate.")

    @step
    def start(self):
        """Pick the customers to featurize."""
        self.customer_ids = list(range(1, self.n_customers + 1))
        self.next(self.featurize)

    @step
    def featurize(self):
        """Derive deterministic features (no randomness: reruns are comparable)."""
        ids = self.customer_ids
        self.features = {
            "customer_id": ids,
            "visits": [(i * 7) % 13 for i in ids],
            "spend": [round((i * 37) % 101 * 1.5, 2) for i in ids],
            "segment": ["xyz" if i % 3 else "abc" for i in ids],
        }
        print(f"featurized {len(ids)} customers")
        self.next(self.end)

    @step
    def end(self):
        """Report the feature names."""
        self.feature_names = sorted(self.features)
        print("features: " + ", ".join(self.feature_names))


if __name__ == "__main__":
    FeatureFlow()
