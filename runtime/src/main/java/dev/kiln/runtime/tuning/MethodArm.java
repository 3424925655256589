package dev.kiln.runtime.tuning;

import dev.kiln.solvers.krylov.JacobiPreconditioner;
import dev.kiln.solvers.matrix.CsrMatrix;
import dev.kiln.spi.LinearMethod;

import java.util.List;

/**
 * One arm of the method bandit: a Krylov method with a preconditioner, named as the wire format
 * spells the pair ({@code pcg+jacobi}, {@code cg+none}, {@code gmres+jacobi}).
 */
public record MethodArm(LinearMethod method, String preconditioner) {
    /**
     * Arms for matrices that pass the cheap SPD checks (symmetric, positive diagonal): the CG
     * family with each preconditioner the wire format names. The backends' own {@code auto} rule
     * (PCG with Jacobi) comes first: it is the opening pull, so a family's first job runs as it
     * would without the tuner. SSOR's ω is then left to the ω tuner ({@code omega: "auto"}).
     */
    public static final List<MethodArm> SPD = List.of(
            new MethodArm(LinearMethod.PCG, "jacobi"), new MethodArm(LinearMethod.CG, "none"),
            new MethodArm(LinearMethod.PCG, "ssor"), new MethodArm(LinearMethod.PCG, "ic0"),
            new MethodArm(LinearMethod.PCG, "chebyshev"));

    /** Arms for other matrices with a positive diagonal; GMRES(30) with Jacobi (the auto rule) first. */
    public static final List<MethodArm> GENERAL = List.of(
            new MethodArm(LinearMethod.GMRES, "jacobi"), new MethodArm(LinearMethod.GMRES, "none"),
            new MethodArm(LinearMethod.BICGSTAB, "jacobi"), new MethodArm(LinearMethod.BICGSTAB, "none"));

    /** Arms for matrices with a zero or negative diagonal entry, where Jacobi is undefined. */
    public static final List<MethodArm> UNSCALED = List.of(
            new MethodArm(LinearMethod.GMRES, "none"), new MethodArm(LinearMethod.BICGSTAB, "none"));

    /** The wire name, e.g. {@code pcg+ic0}. */
    public String name() { return method.wireName() + "+" + preconditioner; }

    /**
     * The arms that fit A: CG needs an SPD matrix and the SPD preconditioners a positive
     * diagonal, so symmetric matrices with a positive diagonal get {@link #SPD}, others the
     * non-symmetric methods. The symmetry tolerance is the CPU backend's (its answer is cached
     * on the matrix, so asking again is free).
     */
    public static List<MethodArm> fitting(CsrMatrix a) {
        boolean positiveDiagonal = JacobiPreconditioner.isApplicable(a);
        if (positiveDiagonal && a.isSymmetric(1e-12)) return SPD;
        return positiveDiagonal ? GENERAL : UNSCALED;
    }
}
