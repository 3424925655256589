package dev.kiln.solvers.train;

/**
 * How one optimiser moves θ after a batch. Holds the optimiser's state (momentum, moments),
 * so one instance serves one training run.
 */
public interface UpdateRule {
    /** Updates θ in place given the batch gradient and the batch's forward pass. */
    void apply(double[] theta, double[] gradient, Network.Pass pass);

    /** Modelled device seconds spent so far (0 for purely digital rules). */
    default double hardwareSeconds() { return 0; }

    /** Modelled device joules spent so far (0 for purely digital rules). */
    default double energyJoules() { return 0; }

    /** Heavy-ball SGD: v ← μv + g, θ ← θ − ηv (Polyak 1964; the form PyTorch's SGD uses). */
    static UpdateRule sgd(double learningRate, double momentum) {
        return new UpdateRule() {
            private double[] velocity;

            @Override
            public void apply(double[] theta, double[] g, Network.Pass pass) {
                if (momentum == 0) {
                    for (int i = 0; i < theta.length; i++) theta[i] -= learningRate * g[i];
                    return;
                }
                if (velocity == null) velocity = new double[theta.length];
                for (int i = 0; i < theta.length; i++) {
                    velocity[i] = momentum * velocity[i] + g[i];
                    theta[i] -= learningRate * velocity[i];
                }
            }
        };
    }

    /** Adam (Kingma & Ba, ICLR 2015, Algorithm 1, with bias correction). */
    static UpdateRule adam(double learningRate, double beta1, double beta2, double epsilon) {
        return new UpdateRule() {
            private double[] m, v;
            private int t;

            @Override
            public void apply(double[] theta, double[] g, Network.Pass pass) {
                if (m == null) {
                    m = new double[theta.length];
                    v = new double[theta.length];
                }
                t++;
                double c1 = 1 - Math.pow(beta1, t), c2 = 1 - Math.pow(beta2, t);
                for (int i = 0; i < theta.length; i++) {
                    m[i] = beta1 * m[i] + (1 - beta1) * g[i];
                    v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
                    theta[i] -= learningRate * (m[i] / c1) / (Math.sqrt(v[i] / c2) + epsilon);
                }
            }
        };
    }

    /**
     * Natural-gradient descent: d solves (G + λI)·d = g on the batch (Amari 1998; the damped
     * form of Martens 2020 §10), then {@code inner} moves θ along d instead of g — plain or
     * momentum SGD for NGD/TNGD, Adam for the TNGD-Adam variant (Donatella et al. 2024, §4).
     */
    static UpdateRule naturalGradient(DirectionSolver solver, double damping, UpdateRule inner) {
        return new UpdateRule() {
            private double hardware, energy;

            @Override
            public void apply(double[] theta, double[] g, Network.Pass pass) {
                DirectionSolver.Direction d = solver.solve(pass, damping, g);
                if (!Double.isNaN(d.hardwareSeconds())) hardware += d.hardwareSeconds();
                if (!Double.isNaN(d.energyJoules())) energy += d.energyJoules();
                inner.apply(theta, d.d(), pass);
            }

            @Override public double hardwareSeconds() { return hardware; }
            @Override public double energyJoules() { return energy; }
        };
    }
}
