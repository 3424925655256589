package dev.kiln.runtime.recycling;

import dev.kiln.solvers.krylov.RecycledSubspace;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;

/**
 * What Kiln remembers of one family for Krylov recycling: the last few solutions (each with the
 * sketch of the system it solved) and the subspace harvested from the family's solves. Not
 * thread-safe: {@link KrylovRecycler} synchronises on the instance.
 */
final class FamilyMemory {
    /** An earlier solve of the family: its job id, the sketch of its system, its solution. */
    record Solved(String jobId, ProblemSketch sketch, double[] solution) { }

    private final Deque<Solved> history = new ArrayDeque<>(); // newest first
    private RecycledSubspace subspace = RecycledSubspace.EMPTY;
    long jobs, warmStarts, recycledSolves, harvests, abandoned;
    int solvesSinceRefresh;

    /**
     * The kept solution whose system is nearest to {@code s} (see {@link ProblemSketch#distance}),
     * the newest among equals; null when none is comparable.
     */
    Solved nearest(ProblemSketch s) {
        Solved best = null;
        double bestDistance = Double.POSITIVE_INFINITY;
        for (Solved e : history) {
            if (!e.sketch().comparable(s)) continue;
            double d = e.sketch().distance(s);
            if (best == null || d < bestDistance) {
                best = e;
                bestDistance = d;
            }
        }
        return best;
    }

    /** Up to {@code count} other kept solutions comparable with {@code s}, nearest first. */
    List<double[]> others(Solved exclude, ProblemSketch s, int count) {
        List<Solved> c = new ArrayList<>();
        for (Solved e : history) if (e != exclude && e.sketch().comparable(s)) c.add(e);
        c.sort((x, y) -> Double.compare(x.sketch().distance(s), y.sketch().distance(s)));
        List<double[]> out = new ArrayList<>();
        for (int i = 0; i < Math.min(count, c.size()); i++) out.add(c.get(i).solution());
        return out;
    }

    /** Keeps a solution, dropping the oldest beyond {@code capacity}. */
    void remember(Solved e, int capacity) {
        history.addFirst(e);
        while (history.size() > capacity) history.removeLast();
    }

    /** The subspace when its vectors have length n, else empty. */
    RecycledSubspace subspace(int n) {
        return subspace.dimension() == n ? subspace : RecycledSubspace.EMPTY;
    }

    RecycledSubspace subspace() { return subspace; }

    void subspace(RecycledSubspace s) { subspace = s == null ? RecycledSubspace.EMPTY : s; }

    int solutionsKept() { return history.size(); }

    long bytes() {
        long b = subspace.bytes();
        for (Solved e : history) b += 8L * e.solution().length;
        return b;
    }

    /**
     * Frees memory, oldest first: the oldest kept solution, else the subspace. Returns false when
     * nothing is left to free.
     */
    boolean shed() {
        if (!history.isEmpty()) {
            history.removeLast();
            return true;
        }
        if (subspace.size() > 0) {
            subspace = RecycledSubspace.EMPTY;
            return true;
        }
        return false;
    }

    /** For tests: the kept job ids, newest first. */
    List<String> keptJobIds() {
        List<String> ids = new ArrayList<>();
        for (Iterator<Solved> it = history.iterator(); it.hasNext(); ) ids.add(it.next().jobId());
        return ids;
    }
}
