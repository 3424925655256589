package dev.kiln.spi;

import dev.kiln.solvers.krylov.RecycledSubspace;
import dev.kiln.solvers.krylov.RecyclingSettings;

/**
 * Krylov recycling within a family, between the runtime and a backend, for one run of one job:
 * what the runtime offers (a subspace kept from earlier solves of the family, and earlier
 * solutions to project the start on) and what the backend hands back (the refreshed subspace,
 * and how much of the offer it used). Handed over through {@link RecyclingChannel}.
 *
 * <p>Why a side channel rather than fields of {@link Job}: the offer is runtime state of the
 * family (megabytes of vectors), not part of the client's job; a backend that knows nothing of
 * recycling simply never looks it up, and the warm start it would profit from already arrives
 * as the problem's x0.
 *
 * <p>Threads: built by the runtime before the solve, filled by the backend on the solving
 * thread, read by the runtime after the solve returns; the fields written by the backend are
 * volatile.
 */
public final class RecycleExchange {
    private final RecycledSubspace offered;
    private final double[][] extraStart;
    private final RecyclingSettings settings;
    private volatile RecycledSubspace harvested;
    private volatile int deflatedVectors = -1;
    private volatile boolean abandoned;

    /**
     * @param offered        subspace to deflate with (may be empty, never null)
     * @param extraStart     earlier solutions beside x0 for the Galerkin start (may be empty, never null)
     * @param settings       Ritz vectors wanted back, the Lanczos window, and whether to deflate every iteration
     */
    public RecycleExchange(RecycledSubspace offered, double[][] extraStart, RecyclingSettings settings) {
        if (offered == null || extraStart == null || settings == null) {
            throw new IllegalArgumentException("offered, extraStart and settings are required");
        }
        this.offered = offered;
        this.extraStart = extraStart;
        this.settings = settings;
    }

    public RecycledSubspace offered() { return offered; }

    public double[][] extraStart() { return extraStart; }

    public RecyclingSettings settings() { return settings; }

    /**
     * The backend's answer: how many offered vectors deflated the solve, the refreshed subspace
     * (or null), and whether the deflated iteration was abandoned for plain CG.
     */
    public void report(int deflated, RecycledSubspace refreshed, boolean deflationAbandoned) {
        this.harvested = refreshed;
        this.abandoned = deflationAbandoned;
        this.deflatedVectors = deflated;
    }

    /** True once a backend reported: it ran the recycling solver. */
    public boolean used() { return deflatedVectors >= 0; }

    /** Vectors that deflated the solve (0 when unused). */
    public int deflatedVectors() { return Math.max(0, deflatedVectors); }

    /** The refreshed subspace, or null. */
    public RecycledSubspace harvested() { return harvested; }

    public boolean abandoned() { return abandoned; }
}
