package dev.kiln.deploy.bench.plot;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * The few drawing operations the bench charts need, in pixel coordinates with y pointing down. One chart
 * draws once per output format, so the SVG (for the browser, exact) and the PNG (for a README, an issue
 * comment or an image viewer) always show the same picture.
 */
public sealed interface PlotCanvas permits SvgCanvas, PngCanvas {

    enum Anchor { START, MIDDLE, END }

    void rect(double x, double y, double w, double h, String fill);

    void line(double x1, double y1, double x2, double y2, String colour, double width, boolean dashed);

    /** A connected line through the points (non-finite points are the caller's to drop). */
    void polyline(double[] xs, double[] ys, int count, String colour, double width);

    void dot(double cx, double cy, double r, String colour, double opacity);

    /** Text with its baseline at y; {@code rotateDeg} turns it about (x, y), clockwise as in SVG. */
    void text(double x, double y, String text, Anchor anchor, double size, boolean bold, String colour, double rotateDeg);

    default void text(double x, double y, String text, Anchor anchor) {
        text(x, y, text, anchor, 11, false, "#000000", 0);
    }

    /**
     * Draws the picture twice: {@code svgFile} and a PNG beside it (same name, {@code .png}). The PNG is skipped
     * with a note on stderr when the JVM cannot render text (a machine without fonts): the SVG is the record.
     *
     * @return the files written
     */
    static java.util.List<Path> writeSvgAndPng(Path svgFile, int width, int height, Consumer<PlotCanvas> draw) throws IOException {
        SvgCanvas svg = new SvgCanvas(width, height);
        draw.accept(svg);
        svg.write(svgFile);
        String name = svgFile.getFileName().toString();
        Path png = svgFile.resolveSibling((name.endsWith(".svg") ? name.substring(0, name.length() - 4) : name) + ".png");
        try {
            PngCanvas p = new PngCanvas(width, height);
            draw.accept(p);
            p.write(png);
            return java.util.List.of(svgFile, png);
        } catch (RuntimeException | Error e) { // AWTError / font-config failures on headless machines without fonts
            System.err.println("plot: PNG not written (" + e + "); the SVG is at " + svgFile);
            return java.util.List.of(svgFile);
        }
    }
}
