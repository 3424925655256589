package dev.kiln.deploy.bench.qubo;

import dev.kiln.backend.cpu.QuboRun;
import dev.kiln.deploy.bench.plot.PlotCanvas;
import dev.kiln.deploy.bench.plot.PlotCanvas.Anchor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Best objective found against time (log axis) for Kiln and the peer on one instance, as SVG and PNG. */
record QuboPlot(QuboInstance inst, List<long[]> kiln, List<long[]> peer, long budgetMs) {
    private static final int W = 720, H = 420, L = 70, R = 20, T = 40, B = 50;

    void write(Path file) throws IOException {
        double minObj = Double.POSITIVE_INFINITY, maxObj = Double.NEGATIVE_INFINITY;
        for (List<long[]> s : List.of(kiln, peer)) for (long[] p : s) {
            double o = inst.objective(QuboRun.energyAt(p));
            minObj = Math.min(minObj, o);
            maxObj = Math.max(maxObj, o);
        }
        if (!Double.isNaN(inst.bestKnown())) maxObj = Math.max(maxObj, inst.bestKnown());
        if (!(minObj < maxObj)) { minObj -= 1; maxObj += 1; }
        Axes a = new Axes(minObj, maxObj, 0.01, Math.max(budgetMs, 1));
        PlotCanvas.writeSvgAndPng(file, W, H, c -> {
            c.text(L, 20, inst.name() + ": best found vs time (ms, log) — Kiln CPU (all cores) vs neal-style peer (1 thread)",
                    Anchor.START, 14, false, "#000000", 0);
            c.line(L, H - B, W - R, H - B, "black", 1, false);
            c.line(L, T, L, H - B, "black", 1, false);
            for (double tick = a.tMin; tick <= a.tMax * 1.001; tick *= 10) c.text(a.x(tick), H - B + 18, fmt(tick), Anchor.MIDDLE);
            for (int k = 0; k <= 4; k++) {
                double v = a.minObj + (a.maxObj - a.minObj) * k / 4;
                c.text(L - 5, a.y(v) + 4, fmt(v), Anchor.END);
            }
            if (!Double.isNaN(inst.bestKnown())) {
                double y = a.y(inst.bestKnown());
                c.line(L, y, W - R, y, "gray", 1, true);
                c.text(W - R - 140, y - 4, "best known " + fmt(inst.bestKnown()), Anchor.START, 12, false, "gray", 0);
            }
            series(c, a, kiln, "#d62728", "Kiln CPU", 0);
            series(c, a, peer, "#1f77b4", "neal-style peer", 1);
        });
    }

    /** Maps time (ms, log axis) and objective to pixels. */
    private record Axes(double minObj, double maxObj, double tMin, double tMax) {
        double x(double ms) { return L + (W - L - R) * Math.log(Math.max(tMin, ms) / tMin) / Math.log(tMax / tMin); }
        double y(double obj) { return (H - B) - (H - B - T) * (obj - minObj) / (maxObj - minObj); }
    }

    /** A staircase: the best value holds until the next improvement. */
    private void series(PlotCanvas c, Axes a, List<long[]> pts, String colour, String label, int idx) {
        double[] xs = new double[2 * pts.size() + 1], ys = new double[2 * pts.size() + 1];
        int n = 0;
        for (long[] p : pts) {
            double x = a.x(p[0] / 1e6), y = a.y(inst.objective(QuboRun.energyAt(p)));
            if (n > 0) { xs[n] = x; ys[n] = ys[n - 1]; n++; }
            xs[n] = x; ys[n] = y; n++;
        }
        if (n > 0) { xs[n] = W - R; ys[n] = ys[n - 1]; n++; }
        c.polyline(xs, ys, n, colour, 2);
        c.text(L + 10, T + 16 + 16 * idx, label, Anchor.START, 12, false, colour, 0);
    }

    private static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e9 ? Long.toString((long) v) : String.format(Locale.ROOT, "%.3g", v);
    }
}
