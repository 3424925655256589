package dev.kiln.deploy.bench.plot;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@link PlotCanvas} drawing with Java2D (headless) into an antialiased RGB image, written as PNG by ImageIO. */
public final class PngCanvas implements PlotCanvas {
    private final BufferedImage image;
    private final Graphics2D g;

    public PngCanvas(int width, int height) {
        image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
    }

    @Override public void rect(double x, double y, double w, double h, String fill) {
        g.setColor(colour(fill, 1));
        g.fill(new Rectangle2D.Double(x, y, w, h));
    }

    @Override public void line(double x1, double y1, double x2, double y2, String colour, double width, boolean dashed) {
        g.setColor(colour(colour, 1));
        g.setStroke(dashed ? new BasicStroke((float) width, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[]{6, 3}, 0)
                : new BasicStroke((float) width));
        g.draw(new Line2D.Double(x1, y1, x2, y2));
    }

    @Override public void polyline(double[] xs, double[] ys, int count, String colour, double width) {
        if (count == 0) return;
        Path2D.Double p = new Path2D.Double();
        p.moveTo(xs[0], ys[0]);
        for (int i = 1; i < count; i++) p.lineTo(xs[i], ys[i]);
        g.setColor(colour(colour, 1));
        g.setStroke(new BasicStroke((float) width, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        g.draw(p);
    }

    @Override public void dot(double cx, double cy, double r, String colour, double opacity) {
        g.setColor(colour(colour, opacity));
        g.fill(new Ellipse2D.Double(cx - r, cy - r, 2 * r, 2 * r));
    }

    @Override public void text(double x, double y, String text, Anchor anchor, double size, boolean bold, String colour, double rotateDeg) {
        g.setFont(new Font(Font.SANS_SERIF, bold ? Font.BOLD : Font.PLAIN, (int) Math.round(size)));
        g.setColor(colour(colour, 1));
        double w = g.getFontMetrics().getStringBounds(text, g).getWidth();
        double dx = switch (anchor) { case START -> 0; case MIDDLE -> -w / 2; case END -> -w; };
        AffineTransform saved = g.getTransform();
        g.rotate(Math.toRadians(rotateDeg), x, y);
        g.drawString(text, (float) (x + dx), (float) y);
        g.setTransform(saved);
    }

    void write(Path file) throws IOException {
        g.dispose();
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null) Files.createDirectories(dir);
        if (!ImageIO.write(image, "png", file.toFile())) throw new IOException("no PNG writer in this JVM");
    }

    /** {@code #rgb}, {@code #rrggbb} or the few names the charts use. */
    static Color colour(String css, double opacity) {
        String c = switch (css) {
            case "white" -> "#ffffff";
            case "black" -> "#000000";
            case "red" -> "#ff0000";
            case "gray", "grey" -> "#808080";
            default -> css;
        };
        if (c.length() == 4) c = "#" + c.charAt(1) + c.charAt(1) + c.charAt(2) + c.charAt(2) + c.charAt(3) + c.charAt(3);
        int rgb = Integer.parseInt(c.substring(1), 16);
        return new Color((rgb >> 16) & 0xff, (rgb >> 8) & 0xff, rgb & 0xff, (int) Math.round(255 * Math.max(0, Math.min(1, opacity))));
    }
}
