package dev.kiln.solvers.train;

/**
 * Training losses, each averaged over the samples of a batch.
 * <ul>
 * <li>{@link #CROSS_ENTROPY}: softmax output, −log p_y. Its Hessian with respect to the logits
 *     is diag(p) − p pᵀ, so the generalised Gauss–Newton matrix equals the Fisher (Martens,
 *     "New insights and perspectives on the natural gradient method", JMLR 2020, §9.2).</li>
 * <li>{@link #MSE}: identity output, ½‖z − onehot(y)‖²; Hessian I, so the GGN is JᵀJ (the
 *     Gauss–Newton matrix of least squares). The output is linear rather than softmax so that
 *     loss and output "match" (Schraudolph 2002, §3) and the GGN stays positive semi-definite.</li>
 * </ul>
 */
public enum Loss {
    CROSS_ENTROPY("cross-entropy"), MSE("mse");

    private final String wire;

    Loss(String wire) { this.wire = wire; }

    public String wireName() { return wire; }

    public static Loss fromWire(String s) {
        for (Loss l : values()) if (l.wire.equals(s)) return l;
        return null;
    }
}
