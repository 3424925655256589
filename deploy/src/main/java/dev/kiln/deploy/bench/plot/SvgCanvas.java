package dev.kiln.deploy.bench.plot;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** {@link PlotCanvas} writing SVG 1.1 text; white background, sans-serif. */
public final class SvgCanvas implements PlotCanvas {
    private final StringBuilder s = new StringBuilder();

    public SvgCanvas(int width, int height) {
        s.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"11\">%n", width, height));
        s.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    }

    @Override public void rect(double x, double y, double w, double h, String fill) {
        s.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>%n", x, y, w, h, fill));
    }

    @Override public void line(double x1, double y1, double x2, double y2, String colour, double width, boolean dashed) {
        s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"%.1f\"%s/>%n",
                x1, y1, x2, y2, colour, width, dashed ? " stroke-dasharray=\"6 3\"" : ""));
    }

    @Override public void polyline(double[] xs, double[] ys, int count, String colour, double width) {
        if (count == 0) return;
        s.append("<polyline points=\"");
        for (int i = 0; i < count; i++) s.append(String.format(Locale.ROOT, "%.1f,%.1f ", xs[i], ys[i]));
        s.setLength(s.length() - 1);
        s.append(String.format(Locale.ROOT, "\" fill=\"none\" stroke=\"%s\" stroke-width=\"%.1f\"/>%n", colour, width));
    }

    @Override public void dot(double cx, double cy, double r, String colour, double opacity) {
        s.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"%s\" fill-opacity=\"%.2f\"/>%n", cx, cy, r, colour, opacity));
    }

    @Override public void text(double x, double y, String text, Anchor anchor, double size, boolean bold, String colour, double rotateDeg) {
        String a = switch (anchor) { case START -> "start"; case MIDDLE -> "middle"; case END -> "end"; };
        String rot = rotateDeg == 0 ? "" : String.format(Locale.ROOT, " transform=\"rotate(%.1f %.1f %.1f)\"", rotateDeg, x, y);
        s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"%.0f\"%s fill=\"%s\"%s>%s</text>%n",
                x, y, a, size, bold ? " font-weight=\"bold\"" : "", colour, rot, escape(text)));
    }

    void write(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null) Files.createDirectories(dir);
        Files.writeString(file, s + "</svg>\n", StandardCharsets.UTF_8);
    }

    static String escape(String t) {
        return t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
