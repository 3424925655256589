package dev.kiln.deploy.bench.relax;

import dev.kiln.runtime.tuning.ContextualBandit;
import dev.kiln.runtime.tuning.TsallisInf;
import dev.kiln.runtime.tuning.UnimodalBandit;

/** A way of choosing the ω arm for each instance, replayed on a {@link CostTable}. */
interface Policy {
    int choose(int t, double context);

    void learn(int t, int arm, double context, int iterations);

    /** Kiln's tuner without context: OSUB over the grid. */
    static Policy bandit(int k) {
        UnimodalBandit b = new UnimodalBandit(k);
        return new Policy() {
            public int choose(int t, double c) { return b.choose(); }
            public void learn(int t, int arm, double c, int it) { b.update(arm, it); }
        };
    }

    /** The paper's bandit: Tsallis-INF with losses iterations/m. */
    static Policy tsallis(int k, long seed, int maxIterations) {
        TsallisInf b = new TsallisInf(k, seed);
        return new Policy() {
            public int choose(int t, double c) { return b.choose(); }
            public void learn(int t, int arm, double c, int it) { b.update(arm, Math.min(1.0, (double) it / maxIterations), b.probability(arm)); }
        };
    }

    /** Kiln's contextual tuner, given the instance's context. */
    static Policy contextual(int k, long seed) {
        ContextualBandit b = new ContextualBandit(k, seed);
        return new Policy() {
            public int choose(int t, double c) { return b.choose(new double[]{c}).arm(); }
            public void learn(int t, int arm, double c, int it) { b.update(arm, new double[]{c}, it); }
        };
    }

    static Policy fixed(int arm) {
        return new Policy() {
            public int choose(int t, double c) { return arm; }
            public void learn(int t, int arm, double c, int it) { }
        };
    }
}
