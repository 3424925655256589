package dev.kiln.solvers.krylov;

/** M = I: PCG becomes plain CG (Saad, 2nd ed., §6.7, Alg. 6.18). Stateless; use {@link #INSTANCE}. */
public final class IdentityPreconditioner implements Preconditioner {
    public static final IdentityPreconditioner INSTANCE = new IdentityPreconditioner();

    private IdentityPreconditioner() {}

    @Override
    public void apply(double[] r, double[] z) {
        System.arraycopy(r, 0, z, 0, Math.min(r.length, z.length));
    }

    @Override
    public String name() {
        return "identity";
    }
}
