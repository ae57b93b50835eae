"""TwentyStepFlow: a linear chain of 20 steps, each setting 10 small artifacts (200 per run),
for the comparison benchmark (benchmarks/compare.py).

In each step the first `CHANGING` artifacts depend on `--seed`, the others do not, so two runs
with different seeds differ in a known part of their artifacts. Later steps carry every earlier
step's artifacts on, as Metaflow does, so step k's task holds 10 * k artifacts.
"""

from metaflow import FlowSpec, Parameter, step

PER_STEP = 10
CHANGING = 3


class TwentyStepFlow(FlowSpec):
    """start, s1 ... s18, end: 10 artifacts each."""

    seed = Parameter("seed", default=0, type=int, help="Changes 3 artifacts of every step.")

    def make(self, k):
        """Step k's artifacts: small values, the first CHANGING of them from the seed."""
        for i in range(PER_STEP):
            value = [self.seed, k, i] if i < CHANGING else {"step": k, "i": i, "name": f"v{i}"}
            setattr(self, f"a{k:02d}_{i}", value)

    @step
    def start(self):
        self.make(0)
        self.next(self.s1)

    @step
    def s1(self):
        self.make(1)
        self.next(self.s2)

    @step
    def s2(self):
        self.make(2)
        self.next(self.s3)

    @step
    def s3(self):
        self.make(3)
        self.next(self.s4)

    @step
    def s4(self):
        self.make(4)
        self.next(self.s5)

    @step
    def s5(self):
        self.make(5)
        self.next(self.s6)

    @step
    def s6(self):
        self.make(6)
        self.next(self.s7)

    @step
    def s7(self):
        self.make(7)
        self.next(self.s8)

    @step
    def s8(self):
        self.make(8)
        self.next(self.s9)

    @step
    def s9(self):
        self.make(9)
        self.next(self.s10)

    @step
    def s10(self):
        self.make(10)
        self.next(self.s11)

    @step
    def s11(self):
        self.make(11)
        self.next(self.s12)

    @step
    def s12(self):
        self.make(12)
        self.next(self.s13)

    @step
    def s13(self):
        self.make(13)
        self.next(self.s14)

    @step
    def s14(self):
        self.make(14)
        self.next(self.s15)

    @step
    def s15(self):
        self.make(15)
        self.next(self.s16)

    @step
    def s16(self):
        self.make(16)
        self.next(self.s17)

    @step
    def s17(self):
        self.make(17)
        self.next(self.s18)

    @step
    def s18(self):
        self.make(18)
        self.next(self.end)

    @step
    def end(self):
        self.make(19)


if __name__ == "__main__":
    TwentyStepFlow()
