package dev.kiln.solvers.train;

import dev.kiln.solvers.problem.TrainProblem;

import java.util.SplittableRandom;

/**
 * A dense feed-forward classifier with hand-written reverse mode (backpropagation: Rumelhart,
 * Hinton & Williams 1986) and forward mode (Pearlmutter's R-operator, "Fast exact
 * multiplication by the Hessian", Neural Computation 1994, §3), which together give exact
 * gradients and matrix-free generalised Gauss–Newton products G·v = (1/B) Σᵢ Jᵢᵀ Hᵢ Jᵢ v
 * (Schraudolph, "Fast curvature matrix-vector products", Neural Computation 2002, §3)
 * without ever forming G.
 *
 * <p>Parameters are one flat vector θ: for each layer l = 1..L, the weights W_l
 * (sizes[l] × sizes[l−1], row-major) then the biases b_l. Batches are row-major
 * (rows × width) arrays. The kernels loop over contiguous rows so the JIT can vectorise them;
 * they trust their inputs (shapes are checked where a {@link TrainProblem} is built).
 */
public final class Network {
    private final int[] sizes;
    private final Activation activation;
    private final Loss loss;
    private final int[] weightOffset;
    private final int[] biasOffset;
    private final int parameters;

    public Network(int[] sizes, Activation activation, Loss loss) {
        this.sizes = sizes.clone();
        this.activation = activation;
        this.loss = loss;
        int layers = sizes.length - 1;
        weightOffset = new int[layers + 1];
        biasOffset = new int[layers + 1];
        int off = 0;
        for (int l = 1; l <= layers; l++) {
            weightOffset[l] = off;
            off += sizes[l] * sizes[l - 1];
            biasOffset[l] = off;
            off += sizes[l];
        }
        parameters = off;
    }

    /** Parameters of a network with these layer widths (input first). */
    public static long parameterCount(int[] sizes) {
        long p = 0;
        for (int l = 1; l < sizes.length; l++) p += (long) sizes[l] * sizes[l - 1] + sizes[l];
        return p;
    }

    public int parameterCount() { return parameters; }

    public int inputs() { return sizes[0]; }

    public int classes() { return sizes[sizes.length - 1]; }

    public Loss loss() { return loss; }

    /**
     * Seeded initial parameters: zero for softmax regression (its loss is convex, zero is the
     * usual start); for hidden layers Glorot-uniform (Glorot & Bengio 2010, Eq. 16) under tanh
     * and He-normal (He et al. 2015, §2.2) under ReLU; biases zero.
     */
    public double[] initialParameters(long seed) {
        double[] theta = new double[parameters];
        if (sizes.length == 2) return theta;
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int l = 1; l < sizes.length; l++) {
            int fanIn = sizes[l - 1], fanOut = sizes[l];
            int off = weightOffset[l];
            if (activation == Activation.RELU) {
                double sd = Math.sqrt(2.0 / fanIn);
                for (int i = 0; i < fanIn * fanOut; i++) theta[off + i] = sd * gaussian(rnd);
            } else {
                double limit = Math.sqrt(6.0 / (fanIn + fanOut));
                for (int i = 0; i < fanIn * fanOut; i++) theta[off + i] = rnd.nextDouble(-limit, limit);
            }
        }
        return theta;
    }

    private static double gaussian(SplittableRandom r) {
        // Box–Muller (Box & Muller 1958).
        double u = 1.0 - r.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    /** Runs the batch forward at θ and keeps what the backward and curvature passes need. */
    public Pass forward(double[] theta, double[] x, int[] labels, int rows) {
        return new Pass(theta, x, labels, rows);
    }

    /** Loss and accuracy of θ on a whole data set, in chunks of 512 rows. */
    public Evaluation evaluate(double[] theta, Dataset data) {
        int chunk = 512;
        double lossSum = 0;
        long correct = 0;
        int d = data.features();
        for (int start = 0; start < data.rows(); start += chunk) {
            int rows = Math.min(chunk, data.rows() - start);
            double[] x = java.util.Arrays.copyOfRange(data.x(), start * d, (start + rows) * d);
            int[] y = java.util.Arrays.copyOfRange(data.labels(), start, start + rows);
            Pass p = forward(theta, x, y, rows);
            lossSum += p.loss() * rows;
            correct += p.correct();
        }
        return new Evaluation(lossSum / data.rows(), (double) correct / data.rows());
    }

    /** Mean loss and the fraction classified correctly. */
    public record Evaluation(double loss, double accuracy) { }

    /** One batch after the forward pass. Not thread-safe; cheap to make one per step. */
    public final class Pass {
        private final double[] theta;
        private final int rows;
        private final int[] labels;
        private final double[][] z;   // pre-activations, layers 1..L
        private final double[][] a;   // activations, layers 0..L-1 (a[0] = input)
        private final double[] probabilities; // softmax of z[L] (cross-entropy only)

        private Pass(double[] theta, double[] x, int[] labels, int rows) {
            this.theta = theta;
            this.rows = rows;
            this.labels = labels;
            int layers = sizes.length - 1;
            z = new double[layers + 1][];
            a = new double[layers][];
            a[0] = x;
            for (int l = 1; l <= layers; l++) {
                z[l] = new double[rows * sizes[l]];
                affine(a[l - 1], rows, sizes[l - 1], theta, weightOffset[l], biasOffset[l], sizes[l], z[l]);
                if (l < layers) {
                    a[l] = new double[z[l].length];
                    activate(z[l], a[l]);
                }
            }
            probabilities = loss == Loss.CROSS_ENTROPY ? softmax(z[layers], rows, classes()) : null;
        }

        public int rows() { return rows; }

        /** The logits (rows × classes). */
        public double[] logits() { return z[sizes.length - 1]; }

        /** Mean loss over the batch. */
        public double loss() {
            int c = classes();
            double[] out = logits();
            double sum = 0;
            for (int i = 0; i < rows; i++) {
                int o = i * c;
                if (loss == Loss.CROSS_ENTROPY) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < c; j++) max = Math.max(max, out[o + j]);
                    double s = 0;
                    for (int j = 0; j < c; j++) s += Math.exp(out[o + j] - max);
                    sum += max + Math.log(s) - out[o + labels[i]]; // log-sum-exp − z_y
                } else {
                    for (int j = 0; j < c; j++) {
                        double t = out[o + j] - (j == labels[i] ? 1 : 0);
                        sum += 0.5 * t * t;
                    }
                }
            }
            return sum / rows;
        }

        /** Samples whose largest output is their label's. */
        public int correct() {
            int c = classes();
            double[] out = logits();
            int n = 0;
            for (int i = 0; i < rows; i++) {
                int best = 0;
                for (int j = 1; j < c; j++) if (out[i * c + j] > out[i * c + best]) best = j;
                if (best == labels[i]) n++;
            }
            return n;
        }

        /** ∇θ of the mean loss, written into {@code g} (length = parameters). */
        public void gradient(double[] g) {
            int c = classes();
            double[] delta = new double[rows * c];
            double[] out = loss == Loss.CROSS_ENTROPY ? probabilities : logits();
            double inv = 1.0 / rows;
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < c; j++) delta[i * c + j] = (out[i * c + j] - (j == labels[i] ? 1 : 0)) * inv;
            }
            java.util.Arrays.fill(g, 0.0);
            backward(delta, g);
        }

        /**
         * out = G·v, G = (1/B) Σᵢ Jᵢᵀ Hᵢ Jᵢ, Jᵢ the Jacobian of sample i's outputs with respect
         * to θ and Hᵢ the loss Hessian in the outputs (see {@link Loss}). J·v comes from one
         * R-forward pass (Pearlmutter 1994, Eq. 4), Jᵀ·u from one backward pass.
         */
        public void gaussNewtonProduct(double[] v, double[] out) {
            int layers = sizes.length - 1;
            double[] rPrev = null; // R(a_{l-1}); zero at the input
            double[] rz = null;
            for (int l = 1; l <= layers; l++) {
                rz = new double[rows * sizes[l]];
                affine(a[l - 1], rows, sizes[l - 1], v, weightOffset[l], biasOffset[l], sizes[l], rz);
                if (rPrev != null) multiplyAdd(rPrev, rows, sizes[l - 1], theta, weightOffset[l], sizes[l], rz);
                if (l < layers) {
                    double[] ra = new double[rz.length];
                    for (int i = 0; i < rz.length; i++) ra[i] = derivative(z[l][i], a[l][i]) * rz[i];
                    rPrev = ra;
                }
            }
            int c = classes();
            double inv = 1.0 / rows;
            double[] u = new double[rows * c];
            for (int i = 0; i < rows; i++) {
                int o = i * c;
                if (loss == Loss.CROSS_ENTROPY) {
                    // H = diag(p) − p pᵀ: u = p ⊙ r − p (pᵀ r)
                    double pr = 0;
                    for (int j = 0; j < c; j++) pr += probabilities[o + j] * rz[o + j];
                    for (int j = 0; j < c; j++) u[o + j] = probabilities[o + j] * (rz[o + j] - pr) * inv;
                } else {
                    for (int j = 0; j < c; j++) u[o + j] = rz[o + j] * inv;
                }
            }
            java.util.Arrays.fill(out, 0.0);
            backward(u, out);
        }

        /**
         * The Gauss–Newton matrix in factor form, G = Uᵀ·U: writes U (rows·classes × parameters, row-major) into
         * {@code u}. Row (i, c) is (1/√B)·(Mᵢ·Jᵢ)_c with Mᵢ a square root of the loss Hessian in the outputs,
         * Hᵢ = MᵢᵀMᵢ: for softmax cross-entropy Mᵢ = diag(√p) − √p·pᵀ (then MᵀM = diag(p) − ppᵀ since Σp = 1),
         * for MSE Mᵢ = I. This is what an analog device is programmed with when it holds the curvature as its
         * factors rather than as a p×p matrix (Donatella et al. 2024, §4: O(B·C·p) values, not p²). Each row is
         * one single-sample backward pass, O(p).
         *
         * @param u length ≥ rows·classes·parameters; overwritten
         */
        public void curvatureFactor(double[] u) {
            int c = classes();
            double scale = 1 / Math.sqrt(rows);
            double[] m = new double[c];
            double[] row = new double[parameters];
            for (int i = 0; i < rows; i++) {
                int o = i * c;
                for (int r = 0; r < c; r++) {
                    if (loss == Loss.CROSS_ENTROPY) {
                        // row r of M = diag(s) − s pᵀ, s = √p: M[r][j] = s_r·(δ_rj − p_j)
                        double sr = Math.sqrt(probabilities[o + r]);
                        for (int j = 0; j < c; j++) m[j] = sr * ((j == r ? 1 : 0) - probabilities[o + j]) * scale;
                    } else {
                        java.util.Arrays.fill(m, 0.0);
                        m[r] = scale;
                    }
                    java.util.Arrays.fill(row, 0.0);
                    backwardSample(i, m, row);
                    System.arraycopy(row, 0, u, (o + r) * parameters, parameters);
                }
            }
        }

        /** Accumulates J_iᵀ·delta into g for the one sample i, delta being ∂/∂z_L of that sample (not consumed). */
        private void backwardSample(int i, double[] delta, double[] g) {
            for (int l = sizes.length - 1; l >= 1; l--) {
                int m = sizes[l], k = sizes[l - 1];
                double[] in = a[l - 1];
                int wo = weightOffset[l], bo = biasOffset[l], io = i * k;
                for (int j = 0; j < m; j++) {
                    double dj = delta[j];
                    if (dj == 0) continue;
                    g[bo + j] += dj;
                    int w = wo + j * k;
                    for (int t = 0; t < k; t++) g[w + t] += dj * in[io + t];
                }
                if (l > 1) {
                    double[] next = new double[k];
                    for (int j = 0; j < m; j++) {
                        double dj = delta[j];
                        if (dj == 0) continue;
                        int w = wo + j * k;
                        for (int t = 0; t < k; t++) next[t] += dj * theta[w + t];
                    }
                    double[] zl = z[l - 1], al = a[l - 1];
                    for (int t = 0; t < k; t++) next[t] *= derivative(zl[io + t], al[io + t]);
                    delta = next;
                }
            }
        }

        /** Accumulates Jᵀ·delta into g, delta being ∂/∂z_L per row (consumed). */
        private void backward(double[] delta, double[] g) {
            for (int l = sizes.length - 1; l >= 1; l--) {
                int m = sizes[l], k = sizes[l - 1];
                double[] in = a[l - 1];
                int wo = weightOffset[l], bo = biasOffset[l];
                for (int i = 0; i < rows; i++) {
                    int io = i * k;
                    for (int j = 0; j < m; j++) {
                        double dj = delta[i * m + j];
                        if (dj == 0) continue;
                        g[bo + j] += dj;
                        int w = wo + j * k;
                        for (int t = 0; t < k; t++) g[w + t] += dj * in[io + t];
                    }
                }
                if (l > 1) {
                    double[] next = new double[rows * k];
                    for (int i = 0; i < rows; i++) {
                        int io = i * k;
                        for (int j = 0; j < m; j++) {
                            double dj = delta[i * m + j];
                            if (dj == 0) continue;
                            int w = wo + j * k;
                            for (int t = 0; t < k; t++) next[io + t] += dj * theta[w + t];
                        }
                    }
                    double[] zl = z[l - 1], al = a[l - 1];
                    for (int i = 0; i < next.length; i++) next[i] *= derivative(zl[i], al[i]);
                    delta = next;
                }
            }
        }
    }

    /** out[i,j] = b[j] + Σ_t in[i,t]·W[j,t] (W, b read from {@code p}). */
    private static void affine(double[] in, int rows, int k, double[] p, int wo, int bo, int m, double[] out) {
        for (int i = 0; i < rows; i++) {
            int io = i * k;
            for (int j = 0; j < m; j++) {
                int w = wo + j * k;
                double s = p[bo + j];
                for (int t = 0; t < k; t++) s += in[io + t] * p[w + t];
                out[i * m + j] = s;
            }
        }
    }

    /** out[i,j] += Σ_t in[i,t]·W[j,t]. */
    private static void multiplyAdd(double[] in, int rows, int k, double[] p, int wo, int m, double[] out) {
        for (int i = 0; i < rows; i++) {
            int io = i * k;
            for (int j = 0; j < m; j++) {
                int w = wo + j * k;
                double s = 0;
                for (int t = 0; t < k; t++) s += in[io + t] * p[w + t];
                out[i * m + j] += s;
            }
        }
    }

    private void activate(double[] z, double[] a) {
        if (activation == Activation.TANH) {
            for (int i = 0; i < z.length; i++) a[i] = Math.tanh(z[i]);
        } else {
            for (int i = 0; i < z.length; i++) a[i] = Math.max(0, z[i]);
        }
    }

    /** σ'(z), using a = σ(z) where that is cheaper (tanh' = 1 − tanh²). */
    private double derivative(double z, double a) {
        return activation == Activation.TANH ? 1 - a * a : (z > 0 ? 1 : 0);
    }

    private static double[] softmax(double[] z, int rows, int c) {
        double[] p = new double[z.length];
        for (int i = 0; i < rows; i++) {
            int o = i * c;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < c; j++) max = Math.max(max, z[o + j]);
            double s = 0;
            for (int j = 0; j < c; j++) {
                p[o + j] = Math.exp(z[o + j] - max);
                s += p[o + j];
            }
            for (int j = 0; j < c; j++) p[o + j] /= s;
        }
        return p;
    }
}
