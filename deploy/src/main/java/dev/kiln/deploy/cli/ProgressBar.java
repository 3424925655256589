package dev.kiln.deploy.cli;

import java.util.Locale;

/**
 * A one-line terminal progress bar for an iterative solve. Progress is measured on the log
 * scale of the residual — from the first residual seen to the tolerance — because Krylov
 * residuals fall roughly geometrically; the ETA extrapolates the rate so far.
 */
final class ProgressBar {
    private static final int WIDTH = 30;
    private final double tolerance;
    private double first = Double.NaN;

    ProgressBar(double tolerance) {
        this.tolerance = tolerance;
    }

    String render(int iteration, double residual, long elapsedMs) {
        if (Double.isNaN(first) && residual > 0) first = Math.max(residual, tolerance * 10);
        double frac = 0;
        if (residual > 0 && first > tolerance) {
            frac = Math.log(first / residual) / Math.log(first / tolerance);
            frac = Math.max(0, Math.min(1, frac));
        }
        int filled = (int) Math.round(frac * WIDTH);
        String eta = frac > 0.02 && elapsedMs > 0 ? String.format(Locale.ROOT, "ETA %.1fs", elapsedMs * (1 - frac) / frac / 1000.0) : "ETA ?";
        return String.format(Locale.ROOT, "[%s%s] %3.0f%%  it %d  residual %.2e  %s   ",
                "#".repeat(filled), ".".repeat(WIDTH - filled), frac * 100, iteration, residual, eta);
    }
}
