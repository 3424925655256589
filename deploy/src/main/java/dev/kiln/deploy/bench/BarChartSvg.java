package dev.kiln.deploy.bench;

import dev.kiln.deploy.bench.plot.PlotCanvas;
import dev.kiln.deploy.bench.plot.PlotCanvas.Anchor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** A plain bar chart, SVG and PNG (groups of bars per case, an optional reference line): no plotting library needed. */
final class BarChartSvg {
    record Series(String label, String color, double[] values) {}

    private BarChartSvg() {}

    /** Writes {@code file} (SVG) and the same chart as PNG beside it. */
    static void write(Path file, String title, String yLabel, List<String> cases, List<Series> series,
                      double reference, String referenceLabel) throws IOException {
        int w = Math.max(640, 90 * cases.size() + 140), h = 420, left = 70, bottom = 110, top = 40;
        double maxSeen = Double.isFinite(reference) ? reference : 0;
        for (Series s : series) for (double v : s.values()) if (Double.isFinite(v)) maxSeen = Math.max(maxSeen, v);
        double max = (maxSeen <= 0 ? 1 : maxSeen) * 1.1;
        double plotH = h - top - bottom, groupW = (w - left - 20.0) / Math.max(1, cases.size());
        double barW = groupW * 0.8 / Math.max(1, series.size());
        PlotCanvas.writeSvgAndPng(file, w, h, c -> {
            c.text(left, 20, title, Anchor.START, 14, false, "#000000", 0);
            c.text(14, top + plotH / 2, yLabel, Anchor.MIDDLE, 11, false, "#000000", -90);
            for (int t = 0; t <= 5; t++) {
                double v = max * t / 5, y = top + plotH - plotH * t / 5;
                c.line(left, y, w - 20, y, "#dddddd", 1, false);
                c.text(left - 4, y + 4, String.format(Locale.ROOT, "%.1f", v), Anchor.END);
            }
            for (int k = 0; k < cases.size(); k++) {
                double gx = left + k * groupW + groupW * 0.1;
                for (int s = 0; s < series.size(); s++) {
                    double v = series.get(s).values()[k];
                    if (!Double.isFinite(v)) continue;
                    double bh = plotH * v / max;
                    c.rect(gx + s * barW, top + plotH - bh, barW * 0.95, bh, series.get(s).color());
                }
                c.text(left + k * groupW + groupW / 2, top + plotH + 10, cases.get(k), Anchor.START, 11, false, "#000000", 40);
            }
            if (Double.isFinite(reference)) {
                double y = top + plotH - plotH * reference / max;
                c.line(left, y, w - 20, y, "red", 1, true);
                c.text(w - 260, y - 4, referenceLabel, Anchor.START, 11, false, "red", 0);
            }
            for (int s = 0; s < series.size(); s++) {
                int ly = h - 16 - 14 * (series.size() - 1 - s);
                c.rect(left, ly - 9, 10, 10, series.get(s).color());
                c.text(left + 14, ly, series.get(s).label(), Anchor.START);
            }
        });
    }
}
