package dev.kiln.deploy.bench.qubo;

import dev.kiln.solvers.problem.QuboProblem;
import dev.kiln.solvers.qubo.BeasleyReader;
import dev.kiln.solvers.qubo.GsetReader;
import dev.kiln.solvers.qubo.IndependentSetQubo;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * A bench instance: its QUBO, the best known objective value (from
 * {@code ../shared/data/qubo/README.md}, which cites each), and how to state it.
 *
 * @param name        case name (G1, bqp250-1, mis100)
 * @param qubo        the problem
 * @param bestKnown   best known objective in the instance's own terms (cut, OR-Library max, MIS size); NaN if unknown
 * @param bestEnergy  the same as a QUBO energy (to stop at)
 * @param optimal     whether bestKnown is proven optimal (only the MIS-100 case here)
 */
record QuboInstance(String name, QuboProblem qubo, double bestKnown, double bestEnergy, boolean optimal, String kind) {

    /** Best-known values per file, from ../shared/data/qubo/README.md (BLS, OR-Library, Lava; see its citations). */
    private static final Map<String, Double> BEST_KNOWN = Map.ofEntries(
            Map.entry("g1", 11624.0), Map.entry("g2", 11620.0), Map.entry("g3", 11622.0),
            Map.entry("g11", 564.0), Map.entry("g12", 556.0), Map.entry("g14", 3064.0), Map.entry("g15", 3050.0),
            Map.entry("g22", 13359.0), Map.entry("g43", 6660.0),
            Map.entry("bqp50-1", 2098.0), Map.entry("bqp100-1", 7970.0), Map.entry("bqp250-1", 45607.0), Map.entry("bqp500-1", 116586.0),
            Map.entry("mis-uniform-100-0.05-0", 44.0), Map.entry("mis-uniform-400-0.05-0", 84.0), Map.entry("mis-uniform-1000-0.05-0", 111.0));

    static QuboInstance load(Path file) throws IOException {
        String f = file.getFileName().toString();
        String stem = f.replaceAll("\\.(rud|txt)$", "").toLowerCase(Locale.ROOT);
        Double known = BEST_KNOWN.get(stem);
        double bk = known == null ? Double.NaN : known;
        if (f.endsWith(".rud")) {
            QuboProblem q = GsetReader.read(file).toQubo();
            return new QuboInstance("G" + stem.substring(1), q, bk, -bk, false, "maxcut");
        }
        if (stem.startsWith("bqp")) {
            return new QuboInstance(stem, BeasleyReader.read(file), bk, -bk, false, "bqp");
        }
        if (stem.startsWith("mis")) {
            String name = "mis" + stem.split("-")[2];
            return new QuboInstance(name, IndependentSetQubo.read(file), bk, IndependentSetQubo.NODE_REWARD * bk,
                    stem.equals("mis-uniform-100-0.05-0"), "mis");
        }
        throw new IllegalArgumentException(file + ": not a G-set (.rud), Beasley (bqp*.txt) or Lava MIS (mis-*.txt) file");
    }

    /** The objective of an energy in the instance's terms (cut, OR-Library value, MIS size). */
    double objective(double energy) {
        return kind.equals("mis") ? energy / IndependentSetQubo.NODE_REWARD : -energy;
    }

    /** Gap to the best known, in percent (0 at or beyond it). */
    double gapPct(double energy) {
        if (Double.isNaN(bestKnown)) return Double.NaN;
        return Math.max(0, 100 * (bestKnown - objective(energy)) / Math.abs(bestKnown));
    }
}
