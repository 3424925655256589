package dev.kiln.deploy.bench;

import dev.kiln.deploy.bench.plot.PlotCanvas;
import dev.kiln.deploy.bench.plot.PlotCanvas.Anchor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A small chart for bench plots, written as SVG and PNG: one or more panels, each with line or dot series on linear
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

    /** Writes {@code file} (SVG) and the same chart as PNG beside it. */
    public void write(Path file) throws IOException {
        PlotCanvas.writeSvgAndPng(file, W, TOP + panels.size() * H, c -> {
            c.text(LEFT, 18, title, Anchor.START, 14, true, "#000000", 0);
            for (int pi = 0; pi < panels.size(); pi++) draw(c, panels.get(pi), TOP + pi * H);
        });
    }

    private static void draw(PlotCanvas c, Panel p, int y0) {
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
        c.text(LEFT, top - 8, p.title, Anchor.START, 11, true, "#000000", 0);
        for (int i = 0; i <= 5; i++) {
            double fx = xmin + (xmax - xmin) * i / 5, fy = ymin + (ymax - ymin) * i / 5;
            double px = LEFT + pw * i / 5.0, py = top + ph - ph * i / 5.0;
            c.line(px, top, px, top + ph, "#eeeeee", 1, false);
            c.line(LEFT, py, LEFT + pw, py, "#eeeeee", 1, false);
            c.text(px, top + ph + 14, tick(fx), Anchor.MIDDLE);
            c.text(LEFT - 4, py + 4, tick(fy), Anchor.END);
        }
        c.line(LEFT, top, LEFT + pw, top, "#444444", 1, false);
        c.line(LEFT, top + ph, LEFT + pw, top + ph, "#444444", 1, false);
        c.line(LEFT, top, LEFT, top + ph, "#444444", 1, false);
        c.line(LEFT + pw, top, LEFT + pw, top + ph, "#444444", 1, false);
        c.text(LEFT + pw / 2.0, top + ph + 32, p.xLabel, Anchor.MIDDLE);
        c.text(16, top + ph / 2.0, p.yLabel, Anchor.MIDDLE, 11, false, "#000000", -90);
        for (int si = 0; si < p.series.size(); si++) {
            Series r = p.series.get(si);
            String colour = COLOURS[si % COLOURS.length];
            double[] xs = new double[r.x.length], ys = new double[r.x.length];
            int n = 0;
            for (int i = 0; i < r.x.length; i++) {
                if (!Double.isFinite(r.x[i]) || !Double.isFinite(r.y[i])) continue;
                double px = LEFT + (r.x[i] - xmin) / (xmax - xmin) * pw;
                double py = top + ph - (r.y[i] - ymin) / (ymax - ymin) * ph;
                if (r.dots) c.dot(px, py, 1.3, colour, 0.5);
                else { xs[n] = px; ys[n] = py; n++; }
            }
            if (!r.dots) c.polyline(xs, ys, n, colour, 1.5);
            int ly = top + 12 + si * 16;
            c.rect(LEFT + pw + 10, ly - 4, 12, 3, colour);
            c.text(LEFT + pw + 26, ly, r.name, Anchor.START);
        }
    }

    private static String tick(double v) {
        double a = Math.abs(v);
        if (a != 0 && (a >= 1e5 || a < 1e-2)) return String.format(Locale.ROOT, "%.1e", v);
        if (a >= 100) return String.format(Locale.ROOT, "%.0f", v);
        return String.format(Locale.ROOT, "%.2f", v);
    }
}
