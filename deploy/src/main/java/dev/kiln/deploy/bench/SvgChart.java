package dev.kiln.deploy.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A small SVG chart for bench plots: one or more panels, each with line or dot series on linear
 * axes with ticks and a legend. Dependency-free so any bench can draw where a person would
 * rather look than read numbers. Build with {@link #panel}, add series, then {@link #write}.
 */
public final class SvgChart {
    private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf", "#7f7f7f"};
    private static final int W = 720, H = 320, LEFT = 70, RIGHT = 170, TOP = 30, BOTTOM = 45;

    private final String title;
    private final List<Panel> panels = new ArrayList<>();

    public SvgChart(String title) { this.title = title; }

    /** Adds a panel (stacked vertically) and returns it for series. */
    public Panel panel(String title, String xLabel, String yLabel) {
        Panel p = new Panel(title, xLabel, yLabel);
        panels.add(p);
        return p;
    }

    /** One plot area. */
    public static final class Panel {
        private final String title, xLabel, yLabel;
        private final List<Series> series = new ArrayList<>();

        private Panel(String title, String xLabel, String yLabel) {
            this.title = title;
            this.xLabel = xLabel;
            this.yLabel = yLabel;
        }

        /** A polyline through the points. */
        public Panel line(String name, double[] x, double[] y) { series.add(new Series(name, x, y, false)); return this; }

        /** Unconnected dots (e.g. a choice per step). */
        public Panel dots(String name, double[] x, double[] y) { series.add(new Series(name, x, y, true)); return this; }
    }

    private record Series(String name, double[] x, double[] y, boolean dots) { }

    public void write(Path file) throws IOException {
        StringBuilder s = new StringBuilder();
        int total = TOP + panels.size() * H;
        s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"11\">%n", W, total));
        s.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"18\" font-size=\"14\" font-weight=\"bold\">%s</text>%n", LEFT, esc(title)));
        for (int pi = 0; pi < panels.size(); pi++) draw(s, panels.get(pi), TOP + pi * H);
        s.append("</svg>\n");
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, s, StandardCharsets.UTF_8);
    }

    private static void draw(StringBuilder s, Panel p, int y0) {
        double xmin = Double.POSITIVE_INFINITY, xmax = Double.NEGATIVE_INFINITY, ymin = Double.POSITIVE_INFINITY, ymax = Double.NEGATIVE_INFINITY;
        for (Series r : p.series) {
            for (int i = 0; i < r.x.length; i++) {
                if (!Double.isFinite(r.x[i]) || !Double.isFinite(r.y[i])) continue;
                xmin = Math.min(xmin, r.x[i]); xmax = Math.max(xmax, r.x[i]);
                ymin = Math.min(ymin, r.y[i]); ymax = Math.max(ymax, r.y[i]);
            }
        }
        if (!(xmax > xmin)) { xmax = xmin + 1; }
        if (!(ymax > ymin)) { ymax = ymin + 1; }
        double pad = (ymax - ymin) * 0.04;
        ymin -= pad; ymax += pad;
        int pw = W - LEFT - RIGHT, ph = H - TOP - BOTTOM, top = y0 + TOP;
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">%s</text>%n", LEFT, top - 8, esc(p.title)));
        s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#444\"/>%n", LEFT, top, pw, ph));
        for (int i = 0; i <= 5; i++) {
            double fx = xmin + (xmax - xmin) * i / 5, fy = ymin + (ymax - ymin) * i / 5;
            double px = LEFT + pw * i / 5.0, py = top + ph - ph * i / 5.0;
            s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#eee\"/>%n", px, top, px, top + ph));
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>%n", LEFT, py, LEFT + pw, py));
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", px, top + ph + 14, tick(fx)));
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n", LEFT - 4, py + 4, tick(fy)));
        }
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", LEFT + pw / 2, top + ph + 32, esc(p.xLabel)));
        s.append(String.format(Locale.ROOT, "<text transform=\"translate(%d,%d) rotate(-90)\" text-anchor=\"middle\">%s</text>%n", 16, top + ph / 2, esc(p.yLabel)));
        for (int si = 0; si < p.series.size(); si++) {
            Series r = p.series.get(si);
            String c = COLOURS[si % COLOURS.length];
            StringBuilder pts = new StringBuilder();
            for (int i = 0; i < r.x.length; i++) {
                if (!Double.isFinite(r.x[i]) || !Double.isFinite(r.y[i])) continue;
                double px = LEFT + (r.x[i] - xmin) / (xmax - xmin) * pw;
                double py = top + ph - (r.y[i] - ymin) / (ymax - ymin) * ph;
                if (r.dots) s.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"1.3\" fill=\"%s\" fill-opacity=\"0.5\"/>%n", px, py, c));
                else pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
            }
            if (!r.dots) s.append(String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\"/>%n", pts.toString().trim(), c));
            int ly = top + 12 + si * 16;
            s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"3\" fill=\"%s\"/>%n", LEFT + pw + 10, ly - 4, c));
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", LEFT + pw + 26, ly, esc(r.name)));
        }
    }

    private static String tick(double v) {
        double a = Math.abs(v);
        if (a != 0 && (a >= 1e5 || a < 1e-2)) return String.format(Locale.ROOT, "%.1e", v);
        if (a >= 100) return String.format(Locale.ROOT, "%.0f", v);
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
