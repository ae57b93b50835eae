"""PredictionFlow: fit two toy models in a foreach and keep the better one's predictions.

Part of the jupyter_mfns demo store (anne and will, Metaflow's "Organizing Results" story).
``--break_scoring true`` makes the ``score`` join raise, which leaves a failed run behind; the
"bug fix" is the environment variable ``MFNS_DEMO_FIXED``, so resuming that run (parameters are
taken from the origin run) re-executes ``score`` and succeeds. Each ``train`` task makes a card
(``model_report``: the fit as a chart, its coefficients and error), the same card in every run,
so two runs' cards can be compared side by side; a resumed run's cloned ``train`` tasks keep
the cards of the run they came from.
"""

import os

from metaflow import FlowSpec, Parameter, card, current, step
from metaflow.cards import Markdown, Table, VegaChart

FIX_ENV = "MFNS_DEMO_FIXED"  # same name as jupyter_mfns.demo.records.FIX_ENV


def model_report(name, xs, ys, coefficients, mse):
    """The components of a train task's card: a headline, the fit over the data, the numbers."""
    fitted = [coefficients["slope"] * x + coefficients["intercept"] for x in xs]
    points = [{"x": x, "y": y, "series": "data"} for x, y in zip(xs, ys)]
    points += [{"x": x, "y": round(y, 4), "series": f"{name} fit"} for x, y in zip(xs, fitted)]
    chart = {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "width": 420,
        "height": 220,
        "data": {"values": points},
        "layer": [
            {
                "transform": [{"filter": "datum.series == 'data'"}],
                "mark": {"type": "point", "filled": True},
                "encoding": {
                    "x": {"field": "x", "type": "quantitative"},
                    "y": {"field": "y", "type": "quantitative"},
                    "color": {"field": "series", "type": "nominal"},
                },
            },
            {
                "transform": [{"filter": "datum.series != 'data'"}],
                "mark": {"type": "line", "strokeWidth": 3},
                "encoding": {
                    "x": {"field": "x", "type": "quantitative"},
                    "y": {"field": "y", "type": "quantitative"},
                    "color": {"field": "series", "type": "nominal"},
                },
            },
        ],
    }
    return [
        Markdown(f"# Model `{name}`\nTraining error (MSE): **{mse:.3f}** on {len(xs)} points."),
        VegaChart(chart),
        Table(
            [[key, round(value, 4)] for key, value in coefficients.items()],
            headers=["coefficient", "value"],
        ),
    ]


class PredictionFlow(FlowSpec):
    """Train ``mean`` and ``linear`` models on a toy series and score with the better one."""

    models = Parameter("models", default="mean,linear", help="Comma-separated model names.")
    break_scoring = Parameter(
        "break_scoring", default=False, type=bool, help="Make the score step raise (demo)."
    )
    alpha = Parameter(
        "alpha", default=0.5, type=float, help="Ridge penalty on the linear model's slope."
    )

    @step
    def start(self):
        """Prepare the training data and fan out over the models."""
        self.train_x = list(range(20))
        self.train_y = [2.0 * x + 1.0 + (0.5 if x % 2 else -0.5) for x in self.train_x]
        self.model_names = [m.strip() for m in self.models.split(",") if m.strip()]
        self.next(self.train, foreach="model_names")

    @card(type="blank", id="model_report")
    @step
    def train(self):
        """Fit one model and measure its training error (and report it in a card)."""
        self.model_name = self.input
        xs, ys = self.train_x, self.train_y
        mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
        if self.model_name == "linear":
            slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys)) / (
                sum((x - mean_x) ** 2 for x in xs) + self.alpha
            )
            self.coefficients = {"slope": slope, "intercept": mean_y - slope * mean_x}
        else:
            self.coefficients = {"slope": 0.0, "intercept": mean_y}
        c = self.coefficients
        self.mse = sum((c["slope"] * x + c["intercept"] - y) ** 2 for x, y in zip(xs, ys)) / len(xs)
        print(f"model {self.model_name}: mse={self.mse:.3f}")
        for component in model_report(self.model_name, xs, ys, c, self.mse):
            current.card["model_report"].append(component)
        self.next(self.score)

    @step
    def score(self, inputs):
        """Keep the model with the lowest error (raises when the demo asks it to)."""
        if self.break_scoring and not os.environ.get(FIX_ENV):
            raise RuntimeError("score step is broken on purpose (demo failed run)")
        best = min(inputs, key=lambda i: i.mse)
        self.best_model = best.model_name
        self.best_mse = best.mse
        self.coefficients = best.coefficients
        self.train_x = inputs[0].train_x
        self.next(self.end)

    @step
    def end(self):
        """Predict the next few points with the chosen model."""
        c = self.coefficients
        self.predictions = [c["slope"] * x + c["intercept"] for x in range(20, 25)]
        print(f"best model: {self.best_model} (mse={self.best_mse:.3f})")


if __name__ == "__main__":
    PredictionFlow()
