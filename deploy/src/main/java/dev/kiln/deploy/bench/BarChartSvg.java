package dev.kiln.deploy.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** A plain SVG bar chart (groups of bars per case, an optional reference line): no plotting library needed. */
final class BarChartSvg {
    record Series(String label, String color, double[] values) {}

    private BarChartSvg() {}

    static void write(Path file, String title, String yLabel, List<String> cases, List<Series> series,
                      double reference, String referenceLabel) throws IOException {
        int w = Math.max(640, 90 * cases.size() + 140), h = 420, left = 70, bottom = 110, top = 40;
        double max = Double.isFinite(reference) ? reference : 0;
        for (Series s : series) for (double v : s.values()) if (Double.isFinite(v)) max = Math.max(max, v);
        if (max <= 0) max = 1;
        max *= 1.1;
        double plotH = h - top - bottom, groupW = (w - left - 20.0) / Math.max(1, cases.size());
        double barW = groupW * 0.8 / Math.max(1, series.size());
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' font-family='sans-serif' font-size='11'>%n", w, h));
        b.append("<rect width='100%' height='100%' fill='white'/>\n");
        b.append(String.format(Locale.ROOT, "<text x='%d' y='20' font-size='14'>%s</text>%n", left, esc(title)));
        b.append(String.format(Locale.ROOT, "<text x='14' y='%f' transform='rotate(-90 14 %f)'>%s</text>%n", top + plotH / 2, top + plotH / 2, esc(yLabel)));
        for (int t = 0; t <= 5; t++) {
            double v = max * t / 5, y = top + plotH - plotH * t / 5;
            b.append(String.format(Locale.ROOT, "<line x1='%d' x2='%d' y1='%f' y2='%f' stroke='#ddd'/><text x='%d' y='%f' text-anchor='end'>%.1f</text>%n",
                    left, w - 20, y, y, left - 4, y + 4, v));
        }
        for (int c = 0; c < cases.size(); c++) {
            double gx = left + c * groupW + groupW * 0.1;
            for (int s = 0; s < series.size(); s++) {
                double v = series.get(s).values()[c];
                if (!Double.isFinite(v)) continue;
                double bh = plotH * v / max;
                b.append(String.format(Locale.ROOT, "<rect x='%f' y='%f' width='%f' height='%f' fill='%s'><title>%s %.2f</title></rect>%n",
                        gx + s * barW, top + plotH - bh, barW * 0.95, bh, series.get(s).color(), esc(series.get(s).label()), v));
            }
            double lx = left + c * groupW + groupW / 2, ly = top + plotH + 10;
            b.append(String.format(Locale.ROOT, "<text x='%f' y='%f' transform='rotate(40 %f %f)'>%s</text>%n", lx, ly, lx, ly, esc(cases.get(c))));
        }
        if (Double.isFinite(reference)) {
            double y = top + plotH - plotH * reference / max;
            b.append(String.format(Locale.ROOT, "<line x1='%d' x2='%d' y1='%f' y2='%f' stroke='red' stroke-dasharray='6 3'/><text x='%d' y='%f' fill='red'>%s</text>%n",
                    left, w - 20, y, y, w - 260, y - 4, esc(referenceLabel)));
        }
        for (int s = 0; s < series.size(); s++) {
            int ly = h - 16 - 14 * (series.size() - 1 - s);
            b.append(String.format(Locale.ROOT, "<rect x='%d' y='%d' width='10' height='10' fill='%s'/><text x='%d' y='%d'>%s</text>%n",
                    left, ly - 9, series.get(s).color(), left + 14, ly, esc(series.get(s).label())));
        }
        b.append("</svg>\n");
        Files.writeString(file, b);
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&apos;");
    }
}
