package dev.kiln.deploy.bench.qubo;

import dev.kiln.backend.cpu.QuboRun;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Best objective found against time (log axis) for Kiln and the peer on one instance, as SVG. */
record QuboPlot(QuboInstance inst, List<long[]> kiln, List<long[]> peer, long budgetMs) {

    void write(Path file) throws IOException {
        int w = 720, h = 420, l = 70, r = 20, t = 40, b = 50;
        double minObj = Double.POSITIVE_INFINITY, maxObj = Double.NEGATIVE_INFINITY;
        for (List<long[]> s : List.of(kiln, peer)) for (long[] p : s) {
            double o = inst.objective(QuboRun.energyAt(p));
            minObj = Math.min(minObj, o);
            maxObj = Math.max(maxObj, o);
        }
        if (!Double.isNaN(inst.bestKnown())) maxObj = Math.max(maxObj, inst.bestKnown());
        if (!(minObj < maxObj)) { minObj -= 1; maxObj += 1; }
        double tMin = 0.01, tMax = Math.max(budgetMs, 1);
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' font-family='sans-serif' font-size='12'>%n", w, h));
        s.append("<rect width='100%' height='100%' fill='white'/>\n");
        s.append(String.format(Locale.ROOT, "<text x='%d' y='20' font-size='14'>%s: best found vs time (ms, log) — Kiln CPU (all cores) vs neal-style peer (1 thread)</text>%n", l, inst.name()));
        s.append(String.format(Locale.ROOT, "<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='black'/>%n", l, h - b, w - r, h - b));
        s.append(String.format(Locale.ROOT, "<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='black'/>%n", l, t, l, h - b));
        for (double tick = tMin; tick <= tMax * 1.001; tick *= 10) {
            double x = l + (w - l - r) * Math.log(tick / tMin) / Math.log(tMax / tMin);
            s.append(String.format(Locale.ROOT, "<text x='%.1f' y='%d' text-anchor='middle'>%s</text>%n", x, h - b + 18, fmt(tick)));
        }
        for (int k = 0; k <= 4; k++) {
            double v = minObj + (maxObj - minObj) * k / 4;
            double y = (h - b) - (h - b - t) * k / 4.0;
            s.append(String.format(Locale.ROOT, "<text x='%d' y='%.1f' text-anchor='end'>%s</text>%n", l - 5, y + 4, fmt(v)));
        }
        if (!Double.isNaN(inst.bestKnown())) {
            double y = (h - b) - (h - b - t) * (inst.bestKnown() - minObj) / (maxObj - minObj);
            s.append(String.format(Locale.ROOT, "<line x1='%d' y1='%.1f' x2='%d' y2='%.1f' stroke='gray' stroke-dasharray='4 3'/>%n", l, y, w - r, y));
            s.append(String.format(Locale.ROOT, "<text x='%d' y='%.1f' fill='gray'>best known %s</text>%n", w - r - 140, y - 4, fmt(inst.bestKnown())));
        }
        series(s, kiln, "#d62728", "Kiln CPU", 0, l, r, t, b, w, h, minObj, maxObj, tMin, tMax);
        series(s, peer, "#1f77b4", "neal-style peer", 1, l, r, t, b, w, h, minObj, maxObj, tMin, tMax);
        s.append("</svg>\n");
        Files.writeString(file, s);
    }

    private void series(StringBuilder s, List<long[]> pts, String color, String label, int idx, int l, int r, int t, int b, int w, int h,
                        double minObj, double maxObj, double tMin, double tMax) {
        StringBuilder path = new StringBuilder();
        double lastY = Double.NaN;
        for (long[] p : pts) {
            double ms = Math.max(tMin, p[0] / 1e6);
            double x = l + (w - l - r) * Math.log(ms / tMin) / Math.log(tMax / tMin);
            double y = (h - b) - (h - b - t) * (inst.objective(QuboRun.energyAt(p)) - minObj) / (maxObj - minObj);
            if (path.length() == 0) path.append(String.format(Locale.ROOT, "M%.1f,%.1f", x, y));
            else path.append(String.format(Locale.ROOT, " H%.1f V%.1f", x, y));
            lastY = y;
        }
        if (path.length() > 0) {
            path.append(String.format(Locale.ROOT, " H%d", w - r));
            s.append(String.format(Locale.ROOT, "<path d='%s' fill='none' stroke='%s' stroke-width='2'/>%n", path, color));
        }
        s.append(String.format(Locale.ROOT, "<text x='%d' y='%d' fill='%s'>%s</text>%n", l + 10, t + 16 + 16 * idx, color, label));
    }

    private static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e9 ? Long.toString((long) v) : String.format(Locale.ROOT, "%.3g", v);
    }
}
